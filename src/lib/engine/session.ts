/**
 * onnxruntime-web sessions over a patched model: WebGPU first, WASM when WebGPU is missing, fails to build the
 * session, fails its first (probe) run, or loses its device later. The caller learns which backend runs and why.
 */
import * as ort from 'onnxruntime-web/webgpu';
import type { AttentionOutput, PatchedModel } from '$lib/onnx';
import type { LayerAttention } from './assemble';
import type { Feed } from './feeds';
import { EngineFailure } from './failure';
import type { Backend, BackendPreference } from './protocol';

/** Checks a fresh session with one real forward; throws when the backend's numbers cannot be trusted. */
export type SessionProbe = (session: AttentionSession) => Promise<void>;

/** How long a failed WebGPU run waits for the device-lost signal before calling the failure the model's. */
const DEVICE_LOST_GRACE_MS = 200;

function delay(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

function reason(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

export interface WebGpuSupport {
	/** Why WebGPU cannot be used here; undefined when an adapter is available. */
	missing: string | undefined;
	/** Whether the adapter runs float16 shaders, which float16 models need. */
	shaderF16: boolean;
}

export async function inspectWebGpu(): Promise<WebGpuSupport> {
	if (!('gpu' in navigator) || !navigator.gpu) return { missing: 'this browser has no WebGPU', shaderF16: false };
	try {
		const adapter = await navigator.gpu.requestAdapter();
		if (!adapter) return { missing: 'no WebGPU adapter is available', shaderF16: false };
		return { missing: undefined, shaderF16: adapter.features.has('shader-f16') };
	} catch (error) {
		return { missing: `requesting a WebGPU adapter failed: ${reason(error)}`, shaderF16: false };
	}
}

/** One external weights file, named as the model's initializers refer to it (e.g. model.onnx_data). */
export interface ExternalWeights {
	path: string;
	data: Uint8Array;
}

/** What a session is built from: the patched graph and the weights kept outside it. */
export interface SessionModel {
	patched: PatchedModel;
	externalData: readonly ExternalWeights[];
}

/** Float32Array, Uint16Array (float16 bits) or Float16Array: any typed array of plain numbers. */
function isNumberArray(value: unknown): value is ArrayLike<number> {
	return ArrayBuffer.isView(value) && !(value instanceof DataView) && !(value instanceof BigInt64Array) && !(value instanceof BigUint64Array);
}

function attentionValues(tensor: ort.Tensor, name: string): ArrayLike<number> {
	const data: unknown = tensor.data;
	if ((tensor.type !== 'float32' && tensor.type !== 'float16') || !isNumberArray(data)) {
		throw new EngineFailure('internal', `Attention output "${name}" is ${tensor.type}, not float32 or float16.`);
	}
	return data;
}

function toTensors(feeds: readonly Feed[]): Record<string, ort.Tensor> {
	const tensors: Record<string, ort.Tensor> = {};
	for (const feed of feeds) tensors[feed.name] = new ort.Tensor(feed.type, feed.data, feed.dims);
	return tensors;
}

export class AttentionSession {
	readonly backend: Backend;
	readonly #session: ort.InferenceSession;
	/** In layer order. */
	readonly #outputs: readonly AttentionOutput[];

	private constructor(session: ort.InferenceSession, backend: Backend, outputs: readonly AttentionOutput[]) {
		this.#session = session;
		this.backend = backend;
		this.#outputs = [...outputs].sort((a, b) => a.layer - b.layer);
	}

	static async create(model: SessionModel, backend: Backend): Promise<AttentionSession> {
		const session = await ort.InferenceSession.create(model.patched.bytes, {
			executionProviders: [backend],
			graphOptimizationLevel: 'all',
			// Passed as they came: the weights are never re-encoded.
			externalData: [...model.externalData]
		});
		return new AttentionSession(session, backend, model.patched.outputs);
	}

	/** One forward; returns each layer's attention output in layer order. */
	async run(feeds: readonly Feed[]): Promise<LayerAttention[]> {
		// Every graph output is fetched (the model's own outputs as well), as the patched graph declares them.
		const results = await this.#session.run(toTensors(feeds));
		return this.#outputs.map((output) => {
			const tensor = results[output.name];
			if (!tensor) throw new EngineFailure('internal', `The session did not return attention output "${output.name}".`);
			return { dims: tensor.dims, data: attentionValues(tensor, output.name) };
		});
	}

	async release(): Promise<void> {
		await this.#session.release();
	}
}

/**
 * Sessions for one model that outlive a lost WebGPU device: the patched bytes stay while WebGPU runs, so a
 * WASM session can replace it without downloading the model again.
 */
export class ModelRunner {
	#session: AttentionSession;
	#model: SessionModel | undefined;
	#deviceLost: string | undefined;
	/** Settles when the WebGPU device is lost (never, on WASM). */
	#lost: Promise<void> | undefined;
	readonly #notices: string[] = [];

	private constructor(session: AttentionSession, model: SessionModel) {
		this.#session = session;
		this.#model = session.backend === 'webgpu' ? model : undefined;
	}

	get backend(): Backend {
		return this.#session.backend;
	}

	/** Opens the model on the preferred backend; `notices` gets what the user should know about the choice. */
	static async open(model: SessionModel, preference: BackendPreference, probe: SessionProbe, notices: string[]): Promise<ModelRunner> {
		if (preference !== 'wasm') {
			const { missing } = await inspectWebGpu();
			if (missing && preference === 'webgpu') throw new EngineFailure('backend', `WebGPU was asked for, but ${missing}.`);
			if (missing) {
				notices.push(`Running on WASM: ${missing}.`);
			} else {
				try {
					return await ModelRunner.#openOn(model, 'webgpu', probe);
				} catch (error) {
					if (preference === 'webgpu') throw new EngineFailure('backend', `WebGPU could not run this model: ${reason(error)}`);
					notices.push(`WebGPU could not run this model (${reason(error)}); running on WASM instead.`);
				}
			}
		}
		return ModelRunner.#openOn(model, 'wasm', probe);
	}

	static async #openOn(model: SessionModel, backend: Backend, probe: SessionProbe): Promise<ModelRunner> {
		let session: AttentionSession;
		try {
			session = await AttentionSession.create(model, backend);
		} catch (error) {
			throw new EngineFailure('backend', `onnxruntime-web could not open the model on ${backend}: ${reason(error)}`);
		}
		try {
			await probe(session);
		} catch (error) {
			await session.release();
			throw error;
		}
		const runner = new ModelRunner(session, model);
		if (backend === 'webgpu') await runner.#watchDevice();
		return runner;
	}

	async #watchDevice(): Promise<void> {
		const device = await ort.env.webgpu.device;
		this.#lost = device.lost.then((info) => {
			this.#deviceLost = info.message || info.reason || 'unknown reason';
		});
	}

	/** Runs on the current backend; after a WebGPU device loss, moves to WASM and runs there. */
	async run(feeds: readonly Feed[]): Promise<LayerAttention[]> {
		if (this.#deviceLost === undefined) {
			try {
				return await this.#session.run(feeds);
			} catch (error) {
				// A device lost during this run surfaces as a run error, maybe just before `lost` settles.
				if (this.#lost) await Promise.race([this.#lost, delay(DEVICE_LOST_GRACE_MS)]);
				if (this.#deviceLost === undefined) throw error;
			}
		}
		await this.#fallBackToWasm();
		return this.#session.run(feeds);
	}

	async #fallBackToWasm(): Promise<void> {
		if (!this.#model) throw new EngineFailure('backend', 'The WebGPU device was lost and the model is no longer in memory.');
		const lost = this.#deviceLost;
		const wasm = await AttentionSession.create(this.#model, 'wasm');
		void this.#session.release().catch(() => undefined);
		this.#session = wasm;
		this.#model = undefined;
		this.#deviceLost = undefined;
		this.#lost = undefined;
		this.#notices.push(`The WebGPU device was lost (${lost}); switched to WASM.`);
	}

	/** Notices raised since the last call (e.g. a switch to WASM). */
	takeNotices(): string[] {
		return this.#notices.splice(0);
	}

	async release(): Promise<void> {
		this.#model = undefined;
		await this.#session.release();
	}
}

/**
 * The page's handle on the engine worker: promises over the message protocol, progress callbacks, and a
 * worker that comes back (with the last model reloaded) when it crashes.
 */
import { asset } from '$app/paths';
import type {
	AnalysisResult,
	AttentionRead,
	EngineRequest,
	EngineResponse,
	EngineSettings,
	ErrorCode,
	FileProgress,
	LoadOptions,
	ModelInfo,
	ModelSource,
	OverallProgress,
	ReadAnswer
} from './protocol';
import { attentionReader, type Analysis } from './reads';

export class EngineError extends Error {
	override name = 'EngineError';
	readonly code: ErrorCode;

	constructor(code: ErrorCode, message: string) {
		super(message);
		this.code = code;
	}
}

/** One file's progress, and the load's total over every file so far. */
export type LoadProgressCallback = (progress: FileProgress, overall: OverallProgress) => void;

export interface EngineClientOptions {
	createWorker?: () => Worker;
	/** Defaults to https://huggingface.co/. */
	hubHost?: string;
}

type Pending =
	| { kind: 'load'; resolve: (info: ModelInfo) => void; reject: (error: EngineError) => void; onProgress?: LoadProgressCallback }
	| { kind: 'analyse'; resolve: (result: AnalysisResult) => void; reject: (error: EngineError) => void }
	| { kind: 'read'; resolve: (answer: ReadAnswer) => void; reject: (error: EngineError) => void };

interface LoadedModel {
	source: ModelSource;
	options: LoadOptions;
}

const HUB_HOST = 'https://huggingface.co/';
/** A model that crashes the worker again right after being reloaded is not reloaded a second time. */
const MAX_RELOADS_WITHOUT_SUCCESS = 1;

/** The default worker; tests wrap it to reach the Worker object. */
export function createEngineWorker(): Worker {
	return new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'attnscope-engine' });
}

export class EngineClient {
	readonly #createWorker: () => Worker;
	readonly #settings: EngineSettings;
	readonly #pending = new Map<number, Pending>();
	#worker: Worker;
	#nextRequestId = 1;
	#currentLoad: number | undefined;
	#loaded: LoadedModel | undefined;
	#reloadsWithoutSuccess = 0;
	#disposed = false;
	#defaultDtype: string | undefined;

	constructor(options: EngineClientOptions = {}) {
		this.#createWorker = options.createWorker ?? createEngineWorker;
		this.#settings = {
			// Absolute, so the worker resolves it the same wherever the app is served from (base path included).
			ortWasmUrl: new URL(asset('/ort/'), self.location.href).href,
			hubHost: options.hubHost ?? HUB_HOST
		};
		this.#worker = this.#startWorker();
	}

	/**
	 * The dtype for loads whose options name none, for callers that choose it apart from the load (the page's
	 * weights choice sits beside a page state that carries only model and backend); undefined: the engine's default.
	 */
	setDefaultDtype(dtype: string | undefined): void {
		this.#defaultDtype = dtype;
	}

	load(source: ModelSource, requested: LoadOptions, onProgress?: LoadProgressCallback): Promise<ModelInfo> {
		const dtype = requested.dtype ?? this.#defaultDtype;
		const options = dtype === undefined ? requested : { ...requested, dtype };
		return new Promise((resolve, reject) => {
			const requestId = this.#nextRequestId++;
			this.#currentLoad = requestId;
			this.#pending.set(requestId, {
				kind: 'load',
				resolve: (info) => {
					this.#loaded = { source, options };
					resolve(info);
				},
				reject,
				onProgress
			});
			this.#post({ type: 'load', requestId, source, options });
		});
	}

	/**
	 * Rejects with EngineError; code 'cancelled' when a newer call superseded this one before it ran. The attention
	 * stays in the worker: the answer's reader fetches it, until a newer result makes its reads fail as 'cancelled'.
	 */
	async analyse(text: string): Promise<Analysis> {
		const requestId = this.#nextRequestId++;
		const worker = this.#worker;
		const { shape, ...result } = await new Promise<AnalysisResult>((resolve, reject) => {
			this.#pending.set(requestId, { kind: 'analyse', resolve, reject });
			this.#post({ type: 'analyse', requestId, text });
		});
		return { ...result, attention: attentionReader(shape, (read) => this.#read(worker, requestId, read)) };
	}

	#read(worker: Worker, resultId: number, read: AttentionRead): Promise<ReadAnswer> {
		// A restarted worker has none of the old one's results: say why instead of "replaced by a newer result".
		if (worker !== this.#worker) {
			return Promise.reject(new EngineError('crashed', 'The engine was restarted after a crash since this attention was computed: change the text to analyse it again.'));
		}
		return new Promise((resolve, reject) => {
			const requestId = this.#nextRequestId++;
			this.#pending.set(requestId, { kind: 'read', resolve, reject });
			this.#post({ type: 'read', requestId, resultId, read });
		});
	}

	cancelLoad(): void {
		if (this.#currentLoad !== undefined && this.#pending.has(this.#currentLoad)) {
			this.#post({ type: 'cancel', requestId: this.#currentLoad });
		}
	}

	dispose(): void {
		this.#disposed = true;
		this.#worker.terminate();
		this.#rejectAll(new EngineError('cancelled', 'The engine was shut down.'));
	}

	#post(request: EngineRequest & { requestId: number }): void {
		if (this.#disposed) {
			this.#pending.get(request.requestId)?.reject(new EngineError('cancelled', 'The engine was shut down.'));
			this.#pending.delete(request.requestId);
			return;
		}
		this.#worker.postMessage(request);
	}

	#startWorker(): Worker {
		const worker = this.#createWorker();
		worker.addEventListener('message', (event: MessageEvent<EngineResponse>) => this.#receive(event.data));
		worker.addEventListener('error', (event) => {
			event.preventDefault();
			if (worker === this.#worker && !this.#disposed) this.#restartAfterCrash(event.message || 'the engine worker crashed');
		});
		worker.postMessage({ type: 'configure', settings: this.#settings } satisfies EngineRequest);
		return worker;
	}

	#receive(response: EngineResponse): void {
		const pending = this.#pending.get(response.requestId);
		if (!pending) return;
		switch (response.type) {
			case 'progress':
				if (pending.kind === 'load') pending.onProgress?.(response.progress, response.overall);
				return;
			case 'ready':
				this.#pending.delete(response.requestId);
				this.#reloadsWithoutSuccess = 0;
				if (pending.kind === 'load') pending.resolve(response.model);
				return;
			case 'result':
				this.#pending.delete(response.requestId);
				this.#reloadsWithoutSuccess = 0;
				if (pending.kind === 'analyse') pending.resolve(response.result);
				return;
			case 'read':
				this.#pending.delete(response.requestId);
				if (pending.kind === 'read') pending.resolve(response.answer);
				return;
			case 'error':
				this.#pending.delete(response.requestId);
				pending.reject(new EngineError(response.code, response.message));
		}
	}

	#rejectAll(error: EngineError): void {
		const pending = [...this.#pending.values()];
		this.#pending.clear();
		for (const request of pending) request.reject(error);
	}

	/** The worker is gone with its model: start a new one, reload the last model, fail what was in flight. */
	#restartAfterCrash(reason: string): void {
		this.#worker.terminate();
		this.#worker = this.#startWorker();
		const reload = this.#loaded && this.#reloadsWithoutSuccess < MAX_RELOADS_WITHOUT_SUCCESS ? this.#loaded : undefined;
		this.#rejectAll(
			new EngineError('crashed', `The engine crashed (${reason}) and was restarted${reload ? '; the model is being reloaded' : ''}.`)
		);
		if (reload) {
			this.#reloadsWithoutSuccess++;
			// Reloaded quietly; a request sent meanwhile queues behind it in the worker.
			this.load(reload.source, reload.options).catch(() => {
				this.#loaded = undefined;
			});
		}
	}
}

/**
 * Loads a model through transformers.js's hub code (config and tokenizer) plus a streamed download of the ONNX
 * file the dtype and backend pick (and its external weights), patches the graph so every layer's attention is an
 * output, and opens a session on the chosen backend.
 */
import { AutoConfig, AutoTokenizer, env as transformersEnv, type PreTrainedTokenizer, type ProgressInfo } from '@huggingface/transformers';
import { readGraphInputs } from '$lib/onnx';
import { patchForAttention } from './attention-patch';
import { fetchBytes, probeFile, type FetchFunction } from './fetch-file';
import { isPastKeyValue } from './feeds';
import { EngineFailure } from './failure';
import { nonTextModelReason, normaliseConfig, type ModelDimensions } from './model-config';
import { checkAttention, EngineModel, forward, type ModelInputs, type TokenTable } from './model';
import { cachingFetch, revalidateCachedModel } from './model-cache';
import { fileUrl, localFilesFetch, locateModel, modelName, relativeToModelFolder, type HubLocation } from './model-source';
import { externalDataFiles, isFloat16Dtype, onnxCandidates, type OnnxCandidate, type TransformersJsConfig } from './onnx-files';
import type { Backend, BackendPreference, EngineSettings, FileProgress, LoadOptions, ModelSource } from './protocol';
import { inspectWebGpu, ModelRunner, type WebGpuSupport } from './session';
import { detectTokenStyle } from './tokens';

/** Attention memory grows with the square of the length; views and exports are built for up to this many tokens. */
const ENGINE_MAX_TOKENS = 1024;
/**
 * Largest download (ONNX file plus external weights) a load accepts: the bytes, the patched copy and
 * onnxruntime's own copy in a 4 GiB WASM heap must all fit.
 */
const MEMORY_BUDGET_BYTES = 2 * 1024 ** 3;
/** A short text for the run that proves a new session computes sane attention before it is used. */
const PROBE_TEXT = 'Hello world';

export interface LoadRequest {
	source: ModelSource;
	options: LoadOptions;
	settings: EngineSettings;
	signal: AbortSignal;
	onProgress: (progress: FileProgress) => void;
}

/**
 * Points transformers.js's hub code at the model; returns the fetch that every download of this load uses
 * (transformers.js's and the ONNX file's): cancelling the load stops them all, downloads go through the model
 * cache, and local files are answered from memory.
 */
function useLocation(source: ModelSource, location: HubLocation, signal: AbortSignal): { loadFetch: FetchFunction; networkFetch?: FetchFunction } {
	const abortableFetch: FetchFunction = (input, init) => fetch(input, { ...init, signal });
	// The app's own models (the bundled one) change with each deploy under the same URL: the HTTP cache handles them.
	const ownOrigin = new URL(location.host).origin === self.location.origin;
	const cached = source.kind !== 'files' && !ownOrigin;
	const loadFetch: FetchFunction =
		source.kind === 'files' ? localFilesFetch(relativeToModelFolder(source.files)) : cached ? cachingFetch(abortableFetch) : abortableFetch;
	transformersEnv.remoteHost = location.host;
	transformersEnv.remotePathTemplate = location.pathTemplate;
	transformersEnv.fetch = loadFetch;
	return { loadFetch, networkFetch: cached ? abortableFetch : undefined };
}

/** A full commit id names one version forever; a branch, tag or plain folder URL can move. */
const COMMIT_ID = /^[0-9a-f]{40}$/;

/** Makes sure a cached copy of a movable revision is still what the server serves (see revalidateCachedModel). */
async function revalidate(location: HubLocation, name: string, networkFetch: FetchFunction, notices: string[]): Promise<void> {
	if (COMMIT_ID.test(location.revision)) return;
	const outcome = await revalidateCachedModel(fileUrl(location, 'config.json'), networkFetch);
	if (outcome === 'dropped') notices.push(`${name} changed since it was cached: downloaded it again.`);
	if (outcome === 'unchecked') notices.push(`Could not check whether ${name} changed since it was cached (offline?): using the cached copy.`);
}

/** Translates transformers.js progress events into per-file FileProgress, remembering sizes for 'done'. */
function progressAdapter(onProgress: (progress: FileProgress) => void): (info: ProgressInfo) => void {
	const sizes = new Map<string, { loaded: number; total: number }>();
	return (info) => {
		if (info.status === 'progress') {
			sizes.set(info.file, { loaded: info.loaded, total: info.total });
			onProgress({ file: info.file, loaded: info.loaded, total: info.total, done: false });
		} else if (info.status === 'done') {
			const size = sizes.get(info.file) ?? { loaded: 0, total: 0 };
			onProgress({ file: info.file, ...size, done: true });
		}
	};
}

function tokenTable(tokenizer: PreTrainedTokenizer): TokenTable {
	const entries: string[] = [];
	for (const [entry, id] of tokenizer.get_vocab()) entries[id] = entry;
	return { entries, special: new Set(tokenizer.all_special_ids), style: detectTokenStyle(entries) };
}

function maxTokens(dimensions: ModelDimensions, tokenizer: PreTrainedTokenizer): number {
	const tokenizerLimit: unknown = tokenizer.model_max_length;
	const limits = [ENGINE_MAX_TOKENS, dimensions.maxPositions, typeof tokenizerLimit === 'number' ? tokenizerLimit : undefined];
	return Math.min(...limits.filter((limit): limit is number => limit !== undefined && limit > 0));
}

/** The repo's "transformers.js_config" section of config.json, if any. */
function transformersJsConfig(config: unknown): TransformersJsConfig | undefined {
	if (typeof config !== 'object' || config === null) return undefined;
	const section: unknown = Reflect.get(config, 'transformers.js_config');
	return typeof section === 'object' && section !== null ? section : undefined;
}

function formatBytes(bytes: number): string {
	return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

interface OnnxChoice extends OnnxCandidate {
	/** The ONNX file and its external weights, as the server declared them (undefined when it did not say). */
	sizes: (number | undefined)[];
	weightFiles: string[];
}

function totalSize(choice: OnnxChoice): number {
	return choice.sizes.reduce<number>((sum, size) => sum + (size ?? 0), 0);
}

/**
 * The first candidate the repo has (HEAD requests only), with its external weights and declared sizes. Where the
 * user named no dtype, a file over the memory budget gives way to the next candidate the repo has.
 */
async function chooseOnnxFile(
	location: HubLocation,
	candidates: readonly OnnxCandidate[],
	config: TransformersJsConfig | undefined,
	fetch: FetchFunction,
	dtypeChosen: boolean
): Promise<OnnxChoice> {
	let tooLarge: OnnxChoice | undefined;
	for (const candidate of candidates) {
		if (tooLarge?.dtype === candidate.dtype) continue;
		const probe = await probeFile(fileUrl(location, candidate.file), fetch);
		if (!probe.found) continue;
		const weightFiles = externalDataFiles(candidate.file, config);
		const weightSizes = await Promise.all(
			weightFiles.map(async (file) => {
				const weights = await probeFile(fileUrl(location, file), fetch);
				if (!weights.found) throw new EngineFailure('no-onnx', `The model's ${candidate.file} needs ${file}, which the repo does not have.`);
				return weights.size;
			})
		);
		const choice = { ...candidate, weightFiles, sizes: [probe.size, ...weightSizes] };
		if (dtypeChosen || totalSize(choice) <= MEMORY_BUDGET_BYTES) return choice;
		tooLarge ??= choice;
	}
	if (tooLarge) return tooLarge;
	const tried = candidates.map((c) => c.file).join(', ');
	throw new EngineFailure('no-onnx', `The model has no ONNX file for this choice (looked for ${tried}).`);
}

/** Refuses, before downloading, a model whose files would not fit in the worker's memory. */
function checkMemoryBudget(choice: OnnxChoice): void {
	const total = totalSize(choice);
	if (total > MEMORY_BUDGET_BYTES) {
		throw new EngineFailure(
			'too-large',
			`The model is ${formatBytes(total)} (${choice.file}${choice.weightFiles.length ? ' with its weights' : ''}); ` +
				`the browser can hold at most ${formatBytes(MEMORY_BUDGET_BYTES)}. Try a smaller dtype (q8, q4) or a smaller model.`
		);
	}
}

function download(location: HubLocation, file: string, request: LoadRequest, fetch: FetchFunction): Promise<Uint8Array> {
	return fetchBytes(fileUrl(location, file), file, { onProgress: request.onProgress, fetch });
}

/** The backend the files are chosen for: the default dtype depends on it, as in transformers.js. */
function plannedBackend(preference: BackendPreference, webgpu: WebGpuSupport | undefined): Backend {
	return preference !== 'wasm' && webgpu && !webgpu.missing ? 'webgpu' : 'wasm';
}

export async function loadModel(request: LoadRequest): Promise<EngineModel> {
	const { source, options, settings, signal } = request;
	const location = locateModel(source, settings.hubHost);
	const { loadFetch: fetch, networkFetch } = useLocation(source, location, signal);
	const hubOptions = { revision: location.revision, progress_callback: progressAdapter(request.onProgress) };
	const notices: string[] = [];
	if (networkFetch) await revalidate(location, modelName(source), networkFetch, notices);

	// The small config first: it tells whether this is a model the engine can read before a large download starts.
	const config: unknown = await AutoConfig.from_pretrained(location.modelId, hubOptions);
	const nonText = nonTextModelReason(config);
	if (nonText) throw new EngineFailure('not-text-model', `This is not a text model: ${nonText}.`);
	const dimensions = normaliseConfig(config);
	const jsConfig = transformersJsConfig(config);

	const webgpu = options.backend === 'wasm' ? undefined : await inspectWebGpu();
	const planned = plannedBackend(options.backend, webgpu);
	const choice = await chooseOnnxFile(location, onnxCandidates(options.dtype, planned, jsConfig), jsConfig, fetch, options.dtype !== undefined);
	checkMemoryBudget(choice);
	let backend = options.backend;
	if (planned === 'webgpu' && isFloat16Dtype(choice.dtype) && !webgpu?.shaderF16) {
		notices.push(`Running on WASM: this WebGPU adapter has no shader-f16, which the ${choice.dtype} model needs.`);
		backend = 'wasm';
	}

	const [tokenizer, onnxBytes, weights] = await Promise.all([
		AutoTokenizer.from_pretrained(location.modelId, hubOptions),
		download(location, choice.file, request, fetch),
		Promise.all(choice.weightFiles.map((file) => download(location, file, request, fetch)))
	]);
	signal.throwIfAborted();

	const graphInputs = readGraphInputs(onnxBytes);
	const attention = patchForAttention(onnxBytes);
	if (attention.wasmOnlyOp && backend !== 'wasm') {
		notices.push(`Running on WASM: ${attention.wasmOnlyOp} gives out its attention only there.`);
		backend = 'wasm';
	}
	const inputs: ModelInputs = {
		tokenizer,
		graphInputs,
		keyValueShape: { kvHeads: dimensions.kvHeads, headDim: dimensions.headDim },
		tokens: tokenTable(tokenizer),
		maxTokens: maxTokens(dimensions, tokenizer),
		outputsAreScores: attention.outputsAreScores
	};
	const externalData = choice.weightFiles.map((file, i) => ({ path: file.slice(file.lastIndexOf('/') + 1), data: weights[i] }));
	const probeIds = tokenizer.encode(PROBE_TEXT);
	const runner = await ModelRunner.open(
		{ patched: attention.patched, externalData },
		backend,
		async (session) => checkAttention(await forward((feeds) => session.run(feeds), inputs, probeIds)),
		notices
	);
	if (signal.aborted) {
		await runner.release();
		signal.throwIfAborted();
	}
	const info = {
		name: modelName(source),
		modelType: dimensions.modelType,
		isDecoder: dimensions.isDecoder || graphInputs.some((input) => isPastKeyValue(input.name)),
		layers: attention.patched.outputs.length,
		heads: dimensions.heads,
		maxTokens: inputs.maxTokens,
		backend: runner.backend,
		notices
	};
	return new EngineModel(info, inputs, runner);
}

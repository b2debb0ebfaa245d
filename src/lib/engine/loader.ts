/**
 * Loads a model through transformers.js's hub code (config and tokenizer) plus a streamed download of the ONNX
 * file, patches the graph so every layer's attention is an output, and opens a session on the chosen backend.
 */
import { AutoConfig, AutoTokenizer, env as transformersEnv, type PreTrainedTokenizer, type ProgressInfo } from '@huggingface/transformers';
import { patchModelForAttention, readGraphInputs } from '$lib/onnx';
import { fetchBytes, type FetchFunction } from './fetch-file';
import { isPastKeyValue } from './feeds';
import { EngineFailure, HttpStatusError } from './failure';
import { normaliseConfig, type ModelDimensions } from './model-config';
import { checkAttention, EngineModel, forward, type ModelInputs, type TokenTable } from './model';
import { fileUrl, locateModel, modelName, onnxFilePath, type HubLocation } from './model-source';
import type { EngineSettings, FileProgress, LoadOptions, ModelSource } from './protocol';
import { ModelRunner } from './session';
import { detectTokenStyle } from './tokens';

/** Attention memory grows with the square of the length; views and exports are built for up to this many tokens. */
const ENGINE_MAX_TOKENS = 1024;
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
 * (transformers.js's and the ONNX file's), so cancelling the load stops them all.
 */
function useLocation(location: HubLocation, signal: AbortSignal): FetchFunction {
	const abortableFetch: FetchFunction = (input, init) => fetch(input, { ...init, signal });
	transformersEnv.remoteHost = location.host;
	transformersEnv.remotePathTemplate = location.pathTemplate;
	transformersEnv.fetch = abortableFetch;
	return abortableFetch;
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

async function downloadOnnx(location: HubLocation, request: LoadRequest, fetch: FetchFunction): Promise<Uint8Array> {
	const file = onnxFilePath(request.options.dtype);
	try {
		return await fetchBytes(fileUrl(location, file), file, { onProgress: request.onProgress, fetch });
	} catch (error) {
		if (error instanceof HttpStatusError && error.status === 404) {
			throw new EngineFailure('no-onnx', `The model has no ${file} (${error.url} was not found).`);
		}
		throw error;
	}
}

export async function loadModel(request: LoadRequest): Promise<EngineModel> {
	const { source, options, settings, signal } = request;
	const location = locateModel(source, settings.hubHost);
	const fetch = useLocation(location, signal);
	const hubOptions = { revision: location.revision, progress_callback: progressAdapter(request.onProgress) };

	// The small config first: it tells whether this is a model the engine can read before a large download starts.
	const dimensions = normaliseConfig(await AutoConfig.from_pretrained(location.modelId, hubOptions));
	const [tokenizer, onnxBytes] = await Promise.all([
		AutoTokenizer.from_pretrained(location.modelId, hubOptions),
		downloadOnnx(location, request, fetch)
	]);
	signal.throwIfAborted();

	const graphInputs = readGraphInputs(onnxBytes);
	const patched = patchModelForAttention(onnxBytes);
	const inputs: ModelInputs = {
		tokenizer,
		graphInputs,
		keyValueShape: { kvHeads: dimensions.kvHeads, headDim: dimensions.headDim },
		tokens: tokenTable(tokenizer),
		maxTokens: maxTokens(dimensions, tokenizer)
	};
	const probeIds = tokenizer.encode(PROBE_TEXT);
	const notices: string[] = [];
	const runner = await ModelRunner.open(
		patched,
		options.backend,
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
		layers: patched.outputs.length,
		heads: dimensions.heads,
		maxTokens: inputs.maxTokens,
		backend: runner.backend,
		notices
	};
	return new EngineModel(info, inputs, runner);
}

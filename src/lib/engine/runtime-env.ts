/**
 * Settings shared by onnxruntime-web and transformers.js, applied once in the worker before any session or
 * download starts. transformers.js imports the same onnxruntime-web module ('onnxruntime-web/webgpu'), so both
 * read one env; setting both names keeps that true even if the libraries stop sharing the object.
 */
import * as ort from 'onnxruntime-web/webgpu';
import { env as transformersEnv } from '@huggingface/transformers';
import type { EngineSettings } from './protocol';

/** ORT's own default cap: more threads than this rarely help a single forward. */
const MAX_WASM_THREADS = 4;

export function applyRuntimeSettings(settings: EngineSettings): void {
	// The app serves the .wasm files itself (static/ort/): transformers.js would otherwise point ORT at a CDN.
	ort.env.wasm.wasmPaths = settings.ortWasmUrl;
	const transformersWasm = transformersEnv.backends.onnx.wasm;
	if (transformersWasm) transformersWasm.wasmPaths = settings.ortWasmUrl;
	// WASM threads need SharedArrayBuffer, which only cross-origin isolated pages get.
	ort.env.wasm.numThreads = self.crossOriginIsolated ? Math.min(MAX_WASM_THREADS, navigator.hardwareConcurrency || 1) : 1;
	ort.env.wasm.proxy = false;

	// Models come from the Hub or Hub-layout folders, always through remoteHost (see model-source.ts).
	transformersEnv.allowLocalModels = false;
	transformersEnv.allowRemoteModels = true;
	// Model files are cached under the loader's fetch (model-cache.ts), one cache for every file of a load.
	transformersEnv.useBrowserCache = false;
	transformersEnv.useWasmCache = false;
}

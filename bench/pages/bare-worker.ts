/**
 * The baseline for the app's cold start: fetch the ONNX file, create a plain onnxruntime-web session with the
 * engine's options (AttentionSession on the unpatched bytes) and run it once. No transformers.js, no patching.
 */
import * as ort from 'onnxruntime-web/webgpu';
import { AttentionSession } from '$lib/engine/session';
import type { BareRequest, BareResult, WorkerResponse } from './forward-protocol';
import { feedsFor, fetchModelFiles } from './model-files';

async function bareRun({ modelUrl, backend, ids, pageTimeOrigin }: BareRequest): Promise<BareResult> {
	const sincePageStart = () => performance.timeOrigin + performance.now() - pageTimeOrigin;
	const workerStarted = performance.timeOrigin - pageTimeOrigin;
	const files = await fetchModelFiles(modelUrl);
	const downloaded = sincePageStart();
	const session = await AttentionSession.create({ patched: { bytes: files.bytes, outputs: [] }, externalData: [] }, backend);
	const sessionCreated = sincePageStart();
	await session.run(feedsFor(files, ids));
	const ran = sincePageStart();
	await session.release();
	return { kind: 'bare', workerStarted, downloaded, sessionCreated, ran };
}

/** The engine's thread rule (runtime-env.ts), without importing transformers.js along with it. */
const ENGINE_MAX_WASM_THREADS = 4;

addEventListener('message', (event: MessageEvent<BareRequest>) => {
	ort.env.wasm.wasmPaths = event.data.ortWasmUrl;
	ort.env.wasm.numThreads = self.crossOriginIsolated ? Math.min(ENGINE_MAX_WASM_THREADS, navigator.hardwareConcurrency || 1) : 1;
	bareRun(event.data).then(
		(result) => postMessage(result satisfies WorkerResponse<BareResult>),
		(error: unknown) => postMessage({ kind: 'error', message: String(error) } satisfies WorkerResponse<BareResult>)
	);
});

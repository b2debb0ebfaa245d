/**
 * Bench page for the model forward: runs forward-worker.ts (extraction overhead) and bare-worker.ts (cold start
 * baseline) and hands their results to bench/run.ts. With `?bare=<JSON BareOptions>` the bare run starts as the page
 * loads, so its times count from navigation like the app's own cold start.
 */
import type { BareRequest, BareResult, CompareRequest, CompareResult, WorkerResponse } from './forward-protocol';

export type CompareOptions = Omit<CompareRequest, 'kind' | 'ortWasmUrl'>;
export type BareOptions = Omit<BareRequest, 'kind' | 'ortWasmUrl' | 'pageTimeOrigin'>;

export interface ForwardBench {
	compare(options: CompareOptions): Promise<CompareResult>;
	/** The run that ?bare= started. */
	bare?: Promise<BareResult>;
}

declare global {
	interface Window {
		forwardBench?: ForwardBench;
	}
}

const ORT_WASM_URL = new URL('/ort/', location.href).href;

/** Posts one request, logs the worker's progress to the console (bench/run.ts prints it), and ends the worker. */
function runWorker<Result extends CompareResult | BareResult>(worker: Worker, request: CompareRequest | BareRequest): Promise<Result> {
	return new Promise<Result>((resolve, reject) => {
		worker.addEventListener('message', (event: MessageEvent<WorkerResponse<Result>>) => {
			const response = event.data;
			if (response.kind === 'progress') console.log(response.message);
			else if (response.kind === 'error') reject(new Error(response.message));
			else resolve(response);
		});
		worker.addEventListener('error', (event) => reject(new Error(event.message || 'the bench worker failed')));
		worker.postMessage(request);
	}).finally(() => worker.terminate());
}

function compare(options: CompareOptions): Promise<CompareResult> {
	const worker = new Worker(new URL('./forward-worker.ts', import.meta.url), { type: 'module' });
	return runWorker(worker, { ...options, kind: 'compare', ortWasmUrl: ORT_WASM_URL });
}

function bare(options: BareOptions): Promise<BareResult> {
	const worker = new Worker(new URL('./bare-worker.ts', import.meta.url), { type: 'module' });
	return runWorker(worker, { ...options, kind: 'bare', ortWasmUrl: ORT_WASM_URL, pageTimeOrigin: performance.timeOrigin });
}

const bareOptions = new URLSearchParams(location.search).get('bare');
window.forwardBench = { compare, bare: bareOptions ? bare(JSON.parse(bareOptions)) : undefined };

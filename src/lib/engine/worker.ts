/**
 * Module Web Worker entry: owns the loaded model and answers the page's requests one at a time, in order
 * (protocol.ts). Every request gets exactly one final answer: ready, result or a typed error.
 */
import { recyclingStorage } from './assemble';
import { classifyError } from './errors';
import { EngineFailure } from './failure';
import { loadModel } from './loader';
import type { EngineModel } from './model';
import type { AttentionTensor } from '$lib/attention';
import type { AttentionRead, EngineRequest, EngineResponse, EngineSettings, LoadOptions, ModelSource } from './protocol';
import { ProgressTotals } from './progress';
import { JobQueue } from './queue';
import { answerRead, answerTransfer } from './reads';
import { applyRuntimeSettings } from './runtime-env';

type WorkerJob =
	| { kind: 'load'; requestId: number; source: ModelSource; options: LoadOptions }
	| { kind: 'analyse'; requestId: number; text: string };

const queue = new JobQueue<WorkerJob>();
let settings: EngineSettings | undefined;
let model: EngineModel | undefined;
let running: { job: WorkerJob; abort: AbortController } | undefined;
/** The latest result's attention: the page reads from it until the next result (or model) replaces it. */
let kept: { resultId: number; attention: AttentionTensor } | undefined;
const REPLACED = 'That attention was replaced by a newer result.';

function send(response: EngineResponse, transfer: Transferable[] = []): void {
	postMessage(response, { transfer });
}

function sendError(requestId: number, error: unknown): void {
	const { code, message } = classifyError(error);
	send({ type: 'error', requestId, code, message });
}

function cancelled(job: WorkerJob): void {
	const message = job.kind === 'analyse' ? 'Superseded by a newer text.' : 'Superseded or cancelled.';
	send({ type: 'error', requestId: job.requestId, code: 'cancelled', message });
}

async function runLoad(job: Extract<WorkerJob, { kind: 'load' }>, signal: AbortSignal): Promise<void> {
	if (!settings) throw new EngineFailure('internal', 'The engine was not configured before loading.');
	const totals = new ProgressTotals();
	const loaded = await loadModel({
		source: job.source,
		options: job.options,
		settings,
		signal,
		onProgress: (progress) => send({ type: 'progress', requestId: job.requestId, progress, overall: totals.update(progress) })
	});
	// Swap only on success: after any failure the previous model keeps working.
	const previous = model;
	model = loaded;
	kept = undefined;
	send({ type: 'ready', requestId: job.requestId, model: loaded.info });
	await previous?.release();
}

async function runAnalyse(job: Extract<WorkerJob, { kind: 'analyse' }>, signal: AbortSignal): Promise<void> {
	if (!model) throw new EngineFailure('internal', 'No model is loaded.');
	// The kept attention stays readable through the forward; its buffer takes the new one once the forward is done.
	const storage = recyclingStorage(() => {
		const spare = kept?.attention.data;
		kept = undefined;
		return spare;
	});
	const { result, attention } = await model.analyse(job.text, storage);
	// A run cannot be interrupted; a cancel that arrived meanwhile still wins.
	signal.throwIfAborted();
	kept = { resultId: job.requestId, attention };
	send({ type: 'result', requestId: job.requestId, result });
}

/** Reads skip the queue: they are quick, and the page waits on them to draw. */
async function answer(requestId: number, resultId: number, read: AttentionRead): Promise<void> {
	const replaced = () => kept?.resultId !== resultId;
	try {
		if (!kept || replaced()) throw new EngineFailure('cancelled', REPLACED);
		const reply = await answerRead(kept.attention, read);
		// A rollout on the GPU awaits: a result that came meanwhile may have been packed into the same buffer.
		if (replaced()) throw new EngineFailure('cancelled', REPLACED);
		send({ type: 'read', requestId, answer: reply }, answerTransfer(reply));
	} catch (error) {
		sendError(requestId, error);
	}
}

/**
 * Lets requests already waiting in the event loop reach the queue before the next job starts: a WASM forward
 * blocks this thread, so texts typed meanwhile arrive together, and only the newest should run.
 */
function yieldToEventLoop(): Promise<void> {
	// A MessageChannel task queues behind the page's messages that are already waiting (same task source).
	return new Promise((resolve) => {
		const channel = new MessageChannel();
		channel.port1.onmessage = () => resolve();
		channel.port2.postMessage(null);
	});
}

let draining = false;

async function drain(): Promise<void> {
	if (draining) return;
	draining = true;
	try {
		for (;;) {
			await yieldToEventLoop();
			const job = queue.next();
			if (!job) return;
			const abort = new AbortController();
			running = { job, abort };
			try {
				await (job.kind === 'load' ? runLoad(job, abort.signal) : runAnalyse(job, abort.signal));
			} catch (error) {
				sendError(job.requestId, error);
			} finally {
				running = undefined;
			}
		}
	} finally {
		draining = false;
	}
}

function enqueue(job: WorkerJob): void {
	queue.push(job).forEach(cancelled);
	// A new model choice also stops a download that is still running.
	if (job.kind === 'load' && running?.job.kind === 'load') running.abort.abort();
	void drain();
}

function handle(request: EngineRequest): void {
	switch (request.type) {
		case 'configure':
			settings = request.settings;
			applyRuntimeSettings(settings);
			return;
		case 'load':
			return enqueue({ kind: 'load', requestId: request.requestId, source: request.source, options: request.options });
		case 'analyse':
			return enqueue({ kind: 'analyse', requestId: request.requestId, text: request.text });
		case 'read':
			return void answer(request.requestId, request.resultId, request.read);
		case 'cancel': {
			const waiting = queue.remove(request.requestId);
			if (waiting) cancelled(waiting);
			else if (running?.job.requestId === request.requestId) running.abort.abort();
		}
	}
}

// onnxruntime-web starts its WASM threads from this same script (named "em-pthread…"); those must not answer the page.
if (!self.name.startsWith('em-pthread')) {
	addEventListener('message', (event: MessageEvent<EngineRequest>) => handle(event.data));
}

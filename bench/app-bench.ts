/**
 * Measurements on the real app page (the built app under `vite preview`), driven as a user would: type in the Text
 * box, load a model by URL, switch views, hover. The app itself is not modified: an init script watches the engine
 * worker's messages (load/analyse requests out, ready/result/read/error back) and times the first paint after the
 * views' reads of a result have been answered.
 */
import type { Browser, BrowserContext, Page } from '@playwright/test';
import type { Backend, EngineRequest, EngineResponse } from '../src/lib/engine/protocol';
import { summarise } from './stats';

/** One analysis as the page saw it; times are the page's performance.now(). */
export interface ObservedResult {
	requestId: number;
	/** The last input event in the Text box before the request went out. */
	typedAt: number | undefined;
	sentAt: number;
	arrivedAt: number;
	/**
	 * After the first frame that followed the latest read answer for this result (rAF, then a task: the frame has
	 * been produced). The views draw from their reads (a layer, the pooled heads, the rollout), not from the result.
	 */
	paintedAt: number | undefined;
	forwardMs: number;
	tokens: number;
	/** The float32 attention the worker keeps for this result. */
	keptBytes: number;
	/** What the page read of it (layers, pooled thumbnails, rollout), transferred. */
	readBytes: number;
}

export interface ObservedLoad {
	requestId: number;
	sentAt: number;
	outcome: { kind: 'ready'; at: number; backend: Backend } | { kind: 'error'; at: number; message: string } | undefined;
}

/** What the init script keeps on window.attnscopeBench. */
export interface EngineProbe {
	workerCreatedAt: number | undefined;
	lastInputAt: number | undefined;
	loads: ObservedLoad[];
	results: ObservedResult[];
	/** Frames while recording: the requestAnimationFrame timestamp, and when the first task after the frame ran. */
	frames: { at: number; doneAt: number | undefined }[];
	recordingFrames: boolean;
	/** The last pointer move or click: when it was dispatched, and when the first task after it ran. */
	lastInteraction: { at: number; handledAt: number | undefined } | undefined;
}

declare global {
	interface Window {
		attnscopeBench?: EngineProbe;
	}
}

/**
 * Runs in the page before the app (page.addInitScript, so it must not use anything from this module's scope):
 * wraps Worker to see the engine's messages in both directions.
 */
function instrumentEngine(): void {
	const probe: EngineProbe = {
		workerCreatedAt: undefined,
		lastInputAt: undefined,
		loads: [],
		results: [],
		frames: [],
		recordingFrames: false,
		lastInteraction: undefined
	};
	window.attnscopeBench = probe;
	addEventListener('input', () => (probe.lastInputAt = performance.now()), true);
	/** Calls `then` with the time the first task queued now runs: after the current task and whatever frame it triggers. */
	const afterThisTask = (then: (at: number) => void) => {
		const channel = new MessageChannel();
		channel.port1.onmessage = () => then(performance.now());
		channel.port2.postMessage(null);
	};
	for (const type of ['pointermove', 'click']) {
		addEventListener(
			type,
			() => {
				const interaction = { at: performance.now(), handledAt: undefined as number | undefined };
				probe.lastInteraction = interaction;
				afterThisTask((at) => (interaction.handledAt = at));
			},
			true
		);
	}
	const typedAt = new Map<number, number | undefined>();
	const sentAt = new Map<number, number>();

	const observe = (response: EngineResponse) => {
		const at = performance.now();
		const load = probe.loads.find((l) => l.requestId === response.requestId);
		if (response.type === 'ready' && load) load.outcome = { kind: 'ready', at, backend: response.model.backend };
		if (response.type === 'error' && load) load.outcome = { kind: 'error', at, message: response.message };
		if (response.type === 'result') {
			const { result, requestId } = response;
			const { layers, heads, queries, keys } = result.shape;
			probe.results.push({
				requestId,
				typedAt: typedAt.get(requestId),
				sentAt: sentAt.get(requestId) ?? at,
				arrivedAt: at,
				paintedAt: undefined,
				forwardMs: result.timings.forwardMs,
				tokens: result.tokens.length,
				keptBytes: 4 * layers * heads * queries * keys,
				readBytes: 0
			});
		}
		if (response.type !== 'read') return;
		const observed = probe.results.at(-1);
		if (!observed) return;
		const { answer } = response;
		observed.readBytes +=
			answer.kind === 'layer'
				? answer.attention.data.byteLength
				: answer.kind === 'rollout'
					? answer.matrix.byteLength
					: answer.pooled.matrices.reduce((sum, m) => sum + m.max.byteLength + m.mean.byteLength, 0);
		// This listener runs before the page's, and the views draw in the same task (Svelte flushes its effects in
		// microtasks), so the next frame shows them; a task queued from its rAF callback runs once it is produced.
		observed.paintedAt = undefined;
		requestAnimationFrame(() => afterThisTask((at) => (observed.paintedAt = at)));
	};

	const NativeWorker = window.Worker;
	window.Worker = class extends NativeWorker {
		readonly #engine: boolean;

		constructor(url: string | URL, options?: WorkerOptions) {
			super(url, options);
			this.#engine = options?.name === 'attnscope-engine';
			if (!this.#engine) return;
			probe.workerCreatedAt ??= performance.now();
			this.addEventListener('message', (event: MessageEvent<EngineResponse>) => observe(event.data));
		}

		override postMessage(message: EngineRequest, options?: StructuredSerializeOptions | Transferable[]): void {
			if (this.#engine && message.type === 'load') probe.loads.push({ requestId: message.requestId, sentAt: performance.now(), outcome: undefined });
			if (this.#engine && message.type === 'analyse') {
				typedAt.set(message.requestId, probe.lastInputAt);
				sentAt.set(message.requestId, performance.now());
			}
			// Worker.postMessage has one overload per kind of second argument.
			if (Array.isArray(options)) super.postMessage(message, options);
			else super.postMessage(message, options);
		}
	};
}

/**
 * Longest wait for a load or an analysis: a 12 × 12 model loads in about a minute and analyses 1024 tokens in under
 * half of one here, so this only ends a hang, which the bench then reports as a failure instead of waiting forever.
 */
const APP_WAIT_MS = 10 * 60_000;

export async function probeOf(page: Page): Promise<EngineProbe> {
	return page.evaluate(() => {
		if (!window.attnscopeBench) throw new Error('The bench instrumentation is not on the page.');
		return window.attnscopeBench;
	});
}

export async function openApp(browser: Browser, appOrigin: string): Promise<{ context: BrowserContext; page: Page }> {
	// A fresh context is a cold visit: no HTTP cache, no Cache Storage, no compiled code.
	const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
	await context.addInitScript(instrumentEngine);
	const page = await context.newPage();
	await page.goto(`${appOrigin}/`);
	return { context, page };
}

/** Waits for the answer to the `index`-th load request of this page (0-based). */
export async function loadOutcome(page: Page, index: number): Promise<NonNullable<ObservedLoad['outcome']>> {
	const handle = await page.waitForFunction((i) => window.attnscopeBench?.loads[i]?.outcome, index, { timeout: APP_WAIT_MS, polling: 500 });
	const outcome: ObservedLoad['outcome'] = await handle.jsonValue();
	if (!outcome) throw new Error('The load finished without an outcome.');
	return outcome;
}

/** Waits for a painted result of `tokens` tokens that was requested after `afterRequestId`. */
export async function paintedResult(page: Page, tokens: number, afterRequestId: number): Promise<ObservedResult> {
	const handle = await page.waitForFunction(
		({ tokens, afterRequestId }) =>
			window.attnscopeBench?.results.find((r) => r.requestId > afterRequestId && r.tokens === tokens && r.paintedAt !== undefined),
		{ tokens, afterRequestId },
		{ timeout: APP_WAIT_MS, polling: 100 }
	);
	const result: ObservedResult | undefined = await handle.jsonValue();
	if (!result) throw new Error('No result was painted.');
	return result;
}

function lastRequestId(probe: EngineProbe): number {
	return Math.max(0, ...probe.results.map((r) => r.requestId), ...probe.loads.map((l) => l.requestId));
}

/**
 * Chooses the backend, then loads the model by URL through the Model box, and waits until the text already in the
 * box has been analysed and painted with it. Throws with the engine's message when the load fails.
 */
export async function loadModelInApp(page: Page, modelUrl: string, backend: Backend): Promise<void> {
	// The page loads the bundled model as it opens: its answer comes first, so the next ones are told apart.
	await loadOutcome(page, 0);
	const before = (await probeOf(page)).loads.length;
	// Changing the backend reloads the model on screen (the bundled one); the wanted model then loads on it.
	await page.getByLabel('Backend').selectOption(backend);
	await loadOutcome(page, before);
	await page.getByRole('textbox', { name: 'Model', exact: true }).fill(modelUrl);
	await page.getByRole('button', { name: 'Load model' }).click();
	const outcome = await loadOutcome(page, before + 1);
	if (outcome.kind === 'error') throw new Error(`The app could not load ${modelUrl}: ${outcome.message}`);
	if (outcome.backend !== backend) throw new Error(`The app ran ${modelUrl} on ${outcome.backend}, not ${backend}.`);
}

export async function showView(page: Page, tab: 'Model view' | 'Head view'): Promise<void> {
	await page.getByRole('tab', { name: tab }).click();
}

/** Types `text` into the Text box (one input event, as a paste) and waits until its attention is painted. */
export async function typeAndWait(page: Page, text: string, tokens: number): Promise<ObservedResult> {
	const after = lastRequestId(await probeOf(page));
	await page.getByRole('textbox', { name: 'Text' }).fill(text);
	return paintedResult(page, tokens, after);
}

export interface HeapUsage {
	/** V8 heap in use after a full GC. */
	usedBytes: number;
	/** ArrayBuffer backing stores (the attention tensor lives here), when Chromium reports them. */
	backingStoreBytes: number | undefined;
}

/** The page's (main thread's) JS memory after a forced garbage collection, through the DevTools protocol. */
export async function heapUsage(page: Page): Promise<HeapUsage> {
	const cdp = await page.context().newCDPSession(page);
	try {
		await cdp.send('HeapProfiler.collectGarbage');
		const usage: { usedSize: number; backingStorageSize?: number } = await cdp.send('Runtime.getHeapUsage');
		return { usedBytes: usage.usedSize, backingStoreBytes: usage.backingStorageSize };
	} finally {
		await cdp.detach();
	}
}

/** Frames around one interaction, from requestAnimationFrame timestamps (ms). */
export interface FrameSample {
	/** The main thread's work for the interaction: its event's task (dispatch to the next task, so with the frame
	 *  when that frame ran first: a pointer move is dispatched inside one), plus the longest frame after that task,
	 *  from the frame's rAF timestamp to the first task after it (rAF callbacks, style, layout, paint, commit). */
	workMs: number;
	/** The same page doing nothing: the median frame (rAF timestamp to the next task) in the 200 ms before it. */
	idleWorkMs: number;
	/** The longest interval between rAF timestamps after the interaction, and the median before it: the pace of
	 *  Chromium's frame clock (about 17.5 ms in headless Chromium here, even with --disable-frame-rate-limit). */
	longestIntervalMs: number;
	idleIntervalMs: number;
}

/**
 * Frames around `interact`, watched for `windowMs` after it. With `tracePath`, a Chromium trace of the interaction's
 * window is written there (BENCH_TRACE, for finding where a frame's time goes).
 */
export async function frameAfter(page: Page, interact: () => Promise<void>, windowMs: number, tracePath?: string): Promise<FrameSample> {
	await page.evaluate(() => {
		const probe = window.attnscopeBench;
		if (!probe) throw new Error('The bench instrumentation is not on the page.');
		probe.frames = [];
		probe.lastInteraction = undefined;
		probe.recordingFrames = true;
		const record = (timestamp: number) => {
			if (!probe.recordingFrames) return;
			const frame = { at: timestamp, doneAt: undefined as number | undefined };
			probe.frames.push(frame);
			const channel = new MessageChannel();
			channel.port1.onmessage = () => (frame.doneAt = performance.now());
			channel.port2.postMessage(null);
			requestAnimationFrame(record);
		};
		requestAnimationFrame(record);
	});
	await page.waitForTimeout(200);
	const browser = page.context().browser();
	if (tracePath && browser) await browser.startTracing(page, { path: tracePath, categories: TRACE_CATEGORIES });
	await interact();
	await page.waitForTimeout(windowMs);
	if (tracePath && browser) await browser.stopTracing();
	const { frames, interaction } = await page.evaluate(() => {
		const probe = window.attnscopeBench;
		if (!probe) throw new Error('The bench instrumentation is not on the page.');
		probe.recordingFrames = false;
		return { frames: probe.frames, interaction: probe.lastInteraction };
	});
	if (!interaction?.handledAt) throw new Error('The interaction did not reach the page.');
	const { at, handledAt } = interaction;
	const done = frames.filter((f): f is { at: number; doneAt: number } => f.doneAt !== undefined);
	const before = done.filter((f) => f.doneAt < at);
	const after = done.filter((f) => f.at >= handledAt);
	if (before.length < 2 || after.length === 0) throw new Error('Too few frames around the interaction.');
	const work = (f: { at: number; doneAt: number }) => f.doneAt - f.at;
	// Chromium sometimes runs rAF callbacks twice with one frame time (after a frame it aborted): one frame, not two.
	const intervals = (list: { at: number }[]) => {
		const times = [...new Set(list.map((f) => f.at))];
		return times.slice(1).map((at, i) => at - times[i]);
	};
	return {
		workMs: handledAt - at + Math.max(...after.map(work)),
		idleWorkMs: summarise(before.map(work))?.median ?? 0,
		longestIntervalMs: Math.max(...intervals(done.filter((f) => f.doneAt >= at))),
		idleIntervalMs: summarise(intervals(before))?.median ?? 0
	};
}

const TRACE_CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'cc', 'viz', 'blink', 'gpu', 'skia', 'toplevel'];

/**
 * Measurements on the real app page (the built app under `vite preview`), driven as a user would: type in the Text
 * box, load a model by URL, switch views, hover. The app itself is not modified: an init script watches the engine
 * worker's messages (load/analyse requests out, ready/result/read/error back) and times the first paint after the
 * views' reads of a result have been answered.
 */
import { writeFile } from 'node:fs/promises';
import type { Browser, BrowserContext, Locator, Page } from '@playwright/test';
import type { Backend, EngineRequest, EngineResponse } from '../src/lib/engine/protocol';
import { interactionWork, TRACE_CATEGORIES, type InteractionWork, type TraceEvent } from './frame-trace';
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
	/** requestAnimationFrame timestamps while recording. */
	frameTimes: number[];
	recordingFrames: boolean;
	/** When the last pointer move or press was dispatched. */
	lastPointerAt: number | undefined;
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
		frameTimes: [],
		recordingFrames: false,
		lastPointerAt: undefined
	};
	window.attnscopeBench = probe;
	addEventListener('input', () => (probe.lastInputAt = performance.now()), true);
	for (const type of ['pointermove', 'pointerdown']) addEventListener(type, () => (probe.lastPointerAt = performance.now()), true);
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
		requestAnimationFrame(() => {
			const channel = new MessageChannel();
			channel.port1.onmessage = () => (observed.paintedAt = performance.now());
			channel.port2.postMessage(null);
		});
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

/** One interaction's frames: its main-thread work from a trace, and the frame pace from rAF timestamps (ms). */
export interface FrameSample extends InteractionWork {
	/** The longest interval between rAF timestamps after the input, and the median before it: the pace of Chromium's
	 *  frame clock (about 17.5 ms in headless Chromium here, even with --disable-frame-rate-limit). */
	longestIntervalMs: number;
	idleIntervalMs: number;
}

/**
 * An interaction as raw pointer input at a control's centre, so that none of Playwright's actionability checks (hit
 * tests run in the page) land in the measured tasks. `inputTypes`: the DOM events it dispatches, as traced.
 */
export interface PointerInteraction {
	act(): Promise<void>;
	inputTypes: readonly string[];
}

/** Pressing `target`: the pointer is moved there first, so the interaction itself is the press and release. */
export async function pressOn(page: Page, target: Locator): Promise<PointerInteraction> {
	const { x, y } = await centreOf(target);
	await page.mouse.move(x, y);
	return {
		act: async () => {
			await page.mouse.down();
			await page.mouse.up();
		},
		inputTypes: ['pointerdown', 'mousedown', 'pointerup', 'mouseup', 'click', 'input', 'change']
	};
}

/** Moving the pointer onto `target` from wherever it is. */
export async function moveOnto(page: Page, target: Locator): Promise<PointerInteraction> {
	const { x, y } = await centreOf(target);
	return {
		act: () => page.mouse.move(x, y),
		inputTypes: ['pointerout', 'pointerleave', 'pointerover', 'pointerenter', 'pointermove', 'mouseout', 'mouseleave', 'mouseover', 'mouseenter', 'mousemove']
	};
}

async function centreOf(target: Locator): Promise<{ x: number; y: number }> {
	await target.scrollIntoViewIfNeeded();
	const box = await target.boundingBox();
	if (!box) throw new Error('The control to interact with is not on screen.');
	return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/**
 * Traces `interaction` with IDLE_BEFORE_MS of the idle page before it and `windowMs` after. With `tracePath`, the
 * trace is written there with the V8 sampling profiler added (BENCH_TRACE, for finding where a frame's time goes).
 */
export async function frameAfter(page: Page, interaction: PointerInteraction, windowMs: number, tracePath?: string): Promise<FrameSample> {
	const browser = page.context().browser();
	if (!browser) throw new Error('Frame times need the browser, for tracing.');
	await page.evaluate(() => {
		const probe = window.attnscopeBench;
		if (!probe) throw new Error('The bench instrumentation is not on the page.');
		probe.frameTimes = [];
		probe.lastPointerAt = undefined;
		probe.recordingFrames = true;
		const record = (timestamp: number) => {
			if (!probe.recordingFrames) return;
			probe.frameTimes.push(timestamp);
			requestAnimationFrame(record);
		};
		requestAnimationFrame(record);
	});
	await browser.startTracing(page, { categories: tracePath ? SAMPLED_TRACE_CATEGORIES : TRACE_CATEGORIES });
	await page.waitForTimeout(IDLE_BEFORE_MS);
	await interaction.act();
	await page.waitForTimeout(windowMs);
	const trace = await browser.stopTracing();
	if (tracePath) await writeFile(tracePath, trace);
	const { frameTimes, pointerAt } = await page.evaluate(() => {
		const probe = window.attnscopeBench;
		if (!probe) throw new Error('The bench instrumentation is not on the page.');
		probe.recordingFrames = false;
		return { frameTimes: probe.frameTimes, pointerAt: probe.lastPointerAt };
	});
	if (pointerAt === undefined) throw new Error('The interaction did not reach the page.');
	// Chromium sometimes runs rAF callbacks twice with one frame time (after a frame it aborted): one frame, not two.
	const times = [...new Set(frameTimes)];
	const before = times.filter((at) => at < pointerAt);
	const after = times.filter((at) => at >= pointerAt);
	if (before.length < 2 || after.length === 0) throw new Error('Too few frames around the interaction.');
	const intervals = (list: number[]) => list.slice(1).map((at, i) => at - list[i]);
	const { traceEvents } = JSON.parse(trace.toString('utf8')) as { traceEvents: TraceEvent[] };
	return {
		...interactionWork(traceEvents, interaction.inputTypes),
		longestIntervalMs: Math.max(...intervals([before[before.length - 1], ...after])),
		idleIntervalMs: summarise(intervals(before))?.median ?? 0
	};
}

/** Runs `body`, writing a Chromium trace of it to `tracePath` when given (BENCH_TRACE), with JS samples. */
export async function tracedIf<T>(page: Page, tracePath: string | undefined, body: () => Promise<T>): Promise<T> {
	const browser = page.context().browser();
	if (!tracePath || !browser) return body();
	await browser.startTracing(page, { path: tracePath, categories: SAMPLED_TRACE_CATEGORIES });
	try {
		return await body();
	} finally {
		await browser.stopTracing();
	}
}

/** The idle page traced before an interaction: a baseline for its frames. */
const IDLE_BEFORE_MS = 200;
/** BENCH_TRACE's traces add V8's JS samples, for finding which code a task ran. */
const SAMPLED_TRACE_CATEGORIES = [...TRACE_CATEGORIES, 'disabled-by-default-v8.cpu_profiler'];

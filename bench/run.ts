/**
 * `npm run bench`: drives the built app and the bench pages in headless Chromium (WebGPU through SwiftShader, and
 * WASM) on the bundled model and a random-weight GPT-2-small-shaped model, prints every figure as a markdown table
 * and writes the same text to bench/latest.md. It always exits 0: what cannot run here is printed with the reason.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { basename } from 'node:path';
import type { PreTrainedTokenizer } from '@huggingface/transformers';
import { chromium, type Browser, type Page } from '@playwright/test';
import { chromiumArgs } from '../playwright.config';
import { normaliseConfig } from '../src/lib/engine/model-config';
import type { Backend } from '../src/lib/engine/protocol';
import { BUNDLED_MODEL, SAMPLE_TEXT } from '../src/lib/models';
import { frameAfter, heapUsage, loadModelInApp, loadOutcome, moveOnto, openApp, paintedResult, pressOn, probeOf, showView, tracedIf, typeAndWait, type FrameSample, type HeapUsage, type ObservedResult } from './app-bench';
import { buildBenchPages } from './build-pages';
import { bareColdStart, compareForward } from './forward-bench';
import type { RolloutComparison } from './pages/rollout';
import type { LengthTimings } from './pages/forward-protocol';
import { fromRoot } from './paths';
import { startPreview } from './preview';
import { megabytes, reason, Report, seconds } from './report';
import { startStaticServer } from './static-server';
import { minMedian, pairedRatios, ratioMinMedian, summarise } from './stats';
import { loadTokenizer, textOfLength, type BenchText } from './texts';

const LENGTHS = [64, 256, 1024];
/** Timed runs per measurement; a 12 × 12 forward at 1024 tokens takes tens of seconds here, so it gets one. */
const RUNS = 5;
const RUNS_AT_1024 = 1;
/** The bundled model's WASM forwards take tens of milliseconds, where thread scheduling noise is large: more runs. */
const RUNS_QUICK = 15;
/** Rollout and frame times are taken on the bench model at this length (the issue's 12 × 12 × 256). */
const VIEW_TOKENS = 256;
/** Enough for a redraw to finish and the next frames to show it. */
const FRAME_WINDOW_MS = 600;
const BENCH_MODEL = 'gpt2-small-random';
/**
 * No vsync: the main thread's commit then does not wait for a display deadline, so the frame work figures are work,
 * not waiting (hover measured 9–11 ms without these flags, 4–6 ms with). rAF intervals stay ~17.5 ms in headless.
 */
const FRAME_TIMING_ARGS = ['--disable-gpu-vsync', '--disable-frame-rate-limit'];

interface BenchModel {
	/** Shown in the tables. */
	label: string;
	folder: string;
	/** Where the bench server serves it: /models/<name>/. */
	path: string;
	layers: number;
	heads: number;
	/** The longest input the app gives this model. */
	maxTokens: number;
	/** Two texts per length (so typing always changes the text), exactly that many tokens each. */
	texts: Map<number, [BenchText, BenchText]>;
	tokenizer: PreTrainedTokenizer;
}

/**
 * Sections to run: all by default; BENCH_ONLY=frames (or a comma list of forward, rollout, typing, frames, cold)
 * runs a subset for quick iteration and prints it without touching bench/latest.md.
 */
const SECTIONS = ['forward', 'rollout', 'typing', 'frames', 'cold'] as const;
type Section = (typeof SECTIONS)[number];
const only = process.env.BENCH_ONLY?.split(',').map((name) => name.trim()).filter(Boolean);
for (const name of only ?? []) {
	if (!SECTIONS.includes(name as Section)) throw new Error(`BENCH_ONLY: unknown section "${name}" (known: ${SECTIONS.join(', ')})`);
}
const runs = (section: Section) => !only || only.includes(section);

const report = new Report();
const started = Date.now();

function log(line: string): void {
	console.error(`[bench ${seconds(Date.now() - started).padStart(7)}] ${line}`);
}

async function describeModel(label: string, folder: string): Promise<BenchModel> {
	const config = normaliseConfig(JSON.parse(readFileSync(`${folder}/config.json`, 'utf8')));
	const tokenizer = await loadTokenizer(folder);
	const limits = [LENGTHS[LENGTHS.length - 1], config.maxPositions ?? Infinity, tokenizer.model_max_length];
	const maxTokens = Math.min(...limits.filter((limit) => typeof limit === 'number' && limit > 0));
	const texts = new Map<number, [BenchText, BenchText]>();
	for (const tokens of LENGTHS.filter((n) => n <= maxTokens)) {
		texts.set(tokens, [textOfLength(tokenizer, tokens, 0), textOfLength(tokenizer, tokens, 7)]);
	}
	const name = folder.slice(folder.lastIndexOf('/') + 1);
	return { label, folder, path: `/models/${name}/`, layers: config.layers, heads: config.heads, maxTokens, texts, tokenizer };
}

/** The random 12 × 12 model, generated first when bench-models/ does not have it. */
function ensureBenchModel(): string {
	const folder = fromRoot('bench-models', BENCH_MODEL);
	if (!existsSync(`${folder}/onnx/model.onnx`)) {
		log(`${folder} is missing: generating it (tools/make_bench_models.py, a few minutes)`);
		const made = spawnSync('/usr/bin/python3', [fromRoot('tools', 'make_bench_models.py')], { stdio: 'inherit' });
		if (made.status !== 0) throw new Error(`tools/make_bench_models.py failed (exit ${made.status})`);
	}
	return folder;
}

function runsAt(tokens: number): number {
	return tokens >= 1024 ? RUNS_AT_1024 : RUNS;
}

function skippedLengths(model: BenchModel): number[] {
	return LENGTHS.filter((n) => n > model.maxTokens);
}

// ---- forward: extraction overhead and WebGPU ÷ WASM ----

interface ForwardRow {
	model: BenchModel;
	backend: Backend;
	timings: LengthTimings;
}

async function forwardBench(browser: Browser, origin: string, bundled: BenchModel | undefined, big: BenchModel): Promise<void> {
	const models = bundled ? [bundled, big] : [big];
	const rows: ForwardRow[] = [];
	const notes: string[] = [];
	/** `slow`: one timed run of the patched model only, without a warm-up (where one forward takes a minute). */
	const measure = async (model: BenchModel, backend: Backend, lengths: number[], slow = false) => {
		const withPlain = !slow;
		const inputs = lengths.map((tokens) => {
			const text = model.texts.get(tokens)?.[0];
			if (!text) throw new Error(`no text of ${tokens} tokens`);
			// Warm-ups at every length, 1024 included: a first run there grows the WASM heap by gigabytes, which is
			// not what the overhead of keeping the attention outputs costs from then on.
			const runs = slow ? 1 : model === bundled && backend === 'wasm' ? RUNS_QUICK : runsAt(tokens);
			return { tokens, ids: text.ids, runs, warmUp: !slow };
		});
		log(`forward: ${model.label} on ${backend}, ${lengths.join('/')} tokens`);
		try {
			const result = await compareForward(browser, origin, { modelUrl: `${origin}${model.path}`, backend, withPlain, inputs }, log);
			for (const timings of result.timings) rows.push({ model, backend, timings });
		} catch (error) {
			notes.push(`${model.label} on ${backend}: failed: ${reason(error)}`);
		}
	};

	for (const backend of ['wasm', 'webgpu'] as const) {
		if (bundled) await measure(bundled, backend, [...bundled.texts.keys()]);
	}
	await measure(big, 'wasm', [...big.texts.keys()]);
	// SwiftShader runs WebGPU on the CPU, far slower than WASM: one length, the engine's forward only.
	await measure(big, 'webgpu', [64], true);
	const slowest = rows.find((row) => row.model === big && row.backend === 'webgpu')?.timings.attentionMs[0];
	notes.push(
		`${big.label} on WebGPU: only 64 tokens, one run of the patched model, no warm-up (so it includes compiling the shaders)` +
			(slowest === undefined ? '.' : `: that forward took ${seconds(slowest)} on SwiftShader, so 256 and 1024 tokens (≥ 4× and ≥ 16× the work) would not fit the bench's time.`)
	);

	report.heading('Extraction overhead: forward with every attention output ÷ the same forward without');
	report.paragraph(
		'Same worker, model file, backend, session options (the engine\'s AttentionSession) and feeds; "with" is the engine\'s ' +
			'patched graph plus packing the per-layer outputs into one Float32Array (the previous run\'s buffer, as the engine ' +
			'worker reuses its previous result\'s). Ratio: min / median of per-run ratios ' +
			'(runs alternate which session goes first). Times in ms, min / median.'
	);
	report.table(
		['model', 'backend', 'tokens', 'runs', 'without ms', 'with ms', 'ratio', 'attention bytes'],
		rows
			.filter((row) => row.timings.plainMs.length > 0 || row.timings.failed)
			.map(({ model, backend, timings }) =>
				timings.failed
					? [model.label, backend, String(timings.tokens), '0', `failed: ${reason(timings.failed)}`, '', '', '']
					: [
							model.label,
							backend,
							String(timings.tokens),
							String(timings.attentionMs.length),
							minMedian(summarise(timings.plainMs)),
							minMedian(summarise(timings.attentionMs)),
							ratioMinMedian(summarise(pairedRatios(timings.attentionMs, timings.plainMs))),
							megabytes(timings.attentionBytes)
						]
			)
	);
	for (const model of models) {
		for (const tokens of skippedLengths(model)) notes.push(`${model.label}: ${tokens} tokens not run: the model reads at most ${model.maxTokens} tokens.`);
	}
	notes.push(`${big.label} at 1024 tokens: ${RUNS_AT_1024} timed run of each session after a warm-up run of each (one forward takes tens of seconds here).`);
	report.paragraph(notes.map((note) => `- ${note}`).join('\n'));

	report.heading('WebGPU ÷ WASM: the engine\'s forward (with attention outputs)');
	report.paragraph('Separate sessions, so the ratio is of the mins and of the medians. WebGPU here is SwiftShader, a CPU emulation of a GPU.');
	const webgpuRows: string[][] = [];
	for (const row of rows.filter((r) => r.backend === 'webgpu' && !r.timings.failed)) {
		const wasm = rows.find((r) => r.backend === 'wasm' && r.model === row.model && r.timings.tokens === row.timings.tokens);
		const gpu = summarise(row.timings.attentionMs);
		const cpu = wasm && summarise(wasm.timings.attentionMs);
		const ratio = gpu && cpu ? `${(gpu.min / cpu.min).toFixed(2)}× / ${(gpu.median / cpu.median).toFixed(2)}×` : '–';
		webgpuRows.push([row.model.label, String(row.timings.tokens), minMedian(gpu), minMedian(cpu), ratio]);
	}
	report.table(['model', 'tokens', 'WebGPU ms', 'WASM ms', 'WebGPU ÷ WASM (min / median)'], webgpuRows);
}

// ---- rollout ----

async function rolloutBench(browser: Browser, origin: string, model: BenchModel): Promise<void> {
	const context = await browser.newContext();
	const page = await context.newPage();
	await page.goto(`${origin}/pages/rollout.html`);
	const rows: string[][] = [];
	for (const tokens of [VIEW_TOKENS, 1024]) {
		log(`rollout: ${model.layers}×${model.heads}×${tokens}`);
		const request = { layers: model.layers, heads: model.heads, tokens, seed: tokens, runs: runsAt(tokens), warmUp: tokens < 1024 };
		try {
			const result: RolloutComparison = await page.evaluate((r) => {
				if (!window.rolloutBench) throw new Error('The rollout bench page did not load.');
				return window.rolloutBench.compare(r);
			}, request);
			rows.push([
				String(tokens),
				result.backend,
				String(result.gpuMs.length),
				minMedian(summarise(result.gpuMs)),
				minMedian(summarise(result.cpuMs)),
				ratioMinMedian(summarise(pairedRatios(result.gpuMs, result.cpuMs))),
				result.maxAbsError.toExponential(1)
			]);
		} catch (error) {
			rows.push([String(tokens), `failed: ${reason(error)}`, '', '', '', '', '']);
		}
	}
	await context.close();
	report.heading(`Rollout: WebGPU compute shaders ÷ CPU (rollout.ts), ${model.layers} layers × ${model.heads} heads`);
	report.paragraph(
		'Seeded causal random attention (synthetic.ts); GPU time includes uploading every layer and reading R back. ' +
			'Ratio: min / median of per-run ratios (interleaved). At 1024 tokens one run without warm-up (pipelines were ' +
			'compiled at 256). SwiftShader executes the shaders on the CPU; rollout.ts skips the zeros of causal rows.'
	);
	report.table(['tokens', 'backend', 'runs', 'GPU ms', 'CPU ms', 'GPU ÷ CPU', 'max |GPU − CPU|'], rows);
}

// ---- the app page: end to end, memory, frames ----

interface TypingRow {
	model: BenchModel;
	backend: Backend;
	tokens: number;
	results: ObservedResult[];
	heap: HeapUsage | undefined;
	failed?: string;
}

interface FrameRows {
	redraw: FrameSample[];
	hover: FrameSample[];
	failed?: string;
}

/** BENCH_TRACE=<folder>: Chromium traces of every frame-time run and of each length's last typing run go there. */
function traceFile(name: string): string | undefined {
	return process.env.BENCH_TRACE ? `${process.env.BENCH_TRACE}/${name}.json` : undefined;
}

async function typingBench(page: Page, model: BenchModel, backend: Backend, rows: TypingRow[]): Promise<void> {
	for (const [tokens, texts] of model.texts) {
		log(`app: ${model.label} on ${backend}, ${tokens} tokens`);
		const row: TypingRow = { model, backend, tokens, results: [], heap: undefined };
		rows.push(row);
		try {
			// One untimed change first, as for the forward: shapes seen for the first time cost extra.
			if (tokens < 1024) await typeAndWait(page, texts[1].text, tokens);
			const runs = runsAt(tokens);
			for (let run = 0; run < runs; run++) {
				const tracePath = run === runs - 1 ? traceFile(`typing-${basename(model.folder)}-${backend}-${tokens}`) : undefined;
				row.results.push(await tracedIf(page, tracePath, () => typeAndWait(page, texts[run % 2].text, tokens)));
			}
			row.heap = await heapUsage(page);
		} catch (error) {
			row.failed = reason(error);
			return;
		}
	}
}

async function frameBench(page: Page, model: BenchModel): Promise<FrameRows> {
	const frames: FrameRows = { redraw: [], hover: [] };
	const text = model.texts.get(VIEW_TOKENS)?.[0];
	if (!text) return { ...frames, failed: `${model.label} reads fewer than ${VIEW_TOKENS} tokens` };
	const trace = (name: string, run: number) => traceFile(`${name}-${run + 1}`);
	try {
		log(`frames: ${model.label} × ${VIEW_TOKENS} tokens`);
		await typeAndWait(page, text.text, VIEW_TOKENS);
		for (let run = 0; run < RUNS; run++) {
			// Both poolings are drawn when the result arrives: a switch shows the other canvas (the link is rewritten after).
			const pooling = run % 2 === 0 ? 'mean' : 'max';
			const press = await pressOn(page, page.getByRole('radio', { name: pooling }));
			frames.redraw.push(await frameAfter(page, press, FRAME_WINDOW_MS, trace('redraw', run)));
		}
		await showView(page, 'Head view');
		// Let the progressive first drawing of all lines finish before hovering.
		await page.waitForTimeout(3000);
		const queries = page.getByRole('list', { name: 'Queries (from)' }).getByRole('button');
		for (let run = 0; run < RUNS; run++) {
			frames.hover.push(await frameAfter(page, await moveOnto(page, queries.nth(2 + 3 * run)), FRAME_WINDOW_MS, trace('hover', run)));
		}
		await showView(page, 'Model view');
	} catch (error) {
		frames.failed = reason(error);
	}
	return frames;
}

async function appBench(browser: Browser, appOrigin: string, serverOrigin: string, bundled: BenchModel | undefined, big: BenchModel): Promise<void> {
	const rows: TypingRow[] = [];
	let frames: FrameRows | undefined;
	const plans: { model: BenchModel; backend: Backend }[] = [
		...(bundled && runs('typing') ? (['webgpu', 'wasm'] as const).map((backend) => ({ model: bundled, backend })) : []),
		// A 12 × 12 forward on SwiftShader takes over a minute even at 64 tokens (see above): WASM only.
		{ model: big, backend: 'wasm' }
	];
	for (const { model, backend } of plans) {
		const { context, page } = await openApp(browser, appOrigin);
		try {
			log(`app: loading ${model.label} on ${backend}`);
			await loadModelInApp(page, `${serverOrigin}${model.path}`, backend);
			await showView(page, 'Model view');
			if (runs('typing')) await typingBench(page, model, backend, rows);
			if (model === big && runs('frames')) frames = await frameBench(page, model);
		} catch (error) {
			rows.push({ model, backend, tokens: 0, results: [], heap: undefined, failed: reason(error) });
		} finally {
			await context.close();
		}
	}

	if (runs('typing')) reportTyping(rows, big);
	if (runs('frames')) reportFrames(frames, big);
}

function reportTyping(rows: TypingRow[], big: BenchModel): void {
	report.heading('End to end on the app page: text change → model view painted, ÷ the forward');
	report.paragraph(
		'The built app under vite preview, model loaded by URL through the Model box, Model view open. Each run pastes a ' +
			'different text of exactly N tokens into the Text box. "typed→painted" includes the page\'s 250 ms typing debounce; ' +
			'"sent→painted" starts when the analyse request leaves the page (tokenize + forward + the views\' reads of the worker + drawing + paint). ' +
			'Forward: the worker\'s own timing of that request (forward + packing). Ratio: min / median of per-run ' +
			'(sent→painted) ÷ forward. Painted: the first frame after the last answer to the views\' reads of that result (the model view\'s pooled heads) has been produced (rAF, then a task). ' +
			`${big.label} runs on WASM only here: on SwiftShader one of its forwards takes over a minute even at 64 tokens.`
	);
	const ratioRows = rows.map((row) => {
		if (row.failed) return [row.model.label, row.backend, String(row.tokens || '–'), '0', `failed: ${row.failed}`, '', '', '', ''];
		const typed = row.results.flatMap((r) => (r.typedAt === undefined || r.paintedAt === undefined ? [] : [r.paintedAt - r.typedAt]));
		const sent = row.results.map((r) => (r.paintedAt ?? r.arrivedAt) - r.sentAt);
		const forward = row.results.map((r) => r.forwardMs);
		const ui = row.results.map((r) => (r.paintedAt ?? r.arrivedAt) - r.arrivedAt);
		return [
			row.model.label,
			row.backend,
			String(row.tokens),
			String(row.results.length),
			minMedian(summarise(typed)),
			minMedian(summarise(sent)),
			minMedian(summarise(forward)),
			minMedian(summarise(ui)),
			ratioMinMedian(summarise(pairedRatios(sent, forward)))
		];
	});
	report.table(['model', 'backend', 'tokens', 'runs', 'typed→painted ms', 'sent→painted ms', 'forward ms', 'result→painted ms', '(sent→painted) ÷ forward'], ratioRows);

	report.heading('Memory and transfer for the attention');
	report.paragraph(
		'The worker keeps the float32 attention of its latest result; the page reads what its views show (Model view: ' +
			'every head pooled to thumbnail size), transferred. Page heap: the main thread after a forced GC with that ' +
			'result on screen, through the DevTools protocol (V8 heap; ArrayBuffer backing stores, where attention ' +
			'values live, listed apart; they include what the page holds besides attention). Per cell: ÷ (layers × ' +
			'heads × N × N); the target is page memory ≤ 2 bytes per cell.'
	);
	report.table(
		['model', 'backend', 'tokens', 'kept in worker', 'read by page', 'page ArrayBuffers', 'page ArrayBuffers per cell', 'page V8 heap'],
		rows
			.filter((row) => !row.failed && row.results.length > 0)
			.map((row) => {
				const { keptBytes, readBytes } = row.results[row.results.length - 1];
				const cells = row.model.layers * row.model.heads * row.tokens * row.tokens;
				const pageBytes = row.heap?.backingStoreBytes;
				return [
					row.model.label,
					row.backend,
					String(row.tokens),
					megabytes(keptBytes),
					megabytes(readBytes),
					megabytes(pageBytes),
					pageBytes === undefined ? '–' : (pageBytes / cells).toFixed(2),
					megabytes(row.heap?.usedBytes)
				];
			})
	);

}

function reportFrames(frames: FrameRows | undefined, big: BenchModel): void {
	report.heading(`Frame times at ${big.layers}×${big.heads}×${VIEW_TOKENS} (ms, from a Chromium trace and requestAnimationFrame timestamps)`);
	report.paragraph(
		'Model view redraw: switching max/mean pooling (both poolings are drawn when the result arrives: the switch shows ' +
			'the other canvas; the page rewrites its link after that frame). Head view hover: moving onto a query token ' +
			'redraws only its lines. Both are raw pointer input at the control (no Playwright actionability checks in the ' +
			'page), each run traced (the DevTools timeline categories). Work: the page\'s main-thread time in tasks from the ' +
			'task that dispatched the input to the end of the commit of the first frame after its handlers (event handlers, ' +
			'rAF callbacks, style, layout, paint, commit; idle gaps excluded): what the targets bound. CPU: the thread time of ' +
			'those tasks, i.e. work less the time the main thread was descheduled or blocked — on these 2 shared cores it ' +
			'competes with the compositor, the GPU process (SwiftShader), V8\'s background compilers and the bench itself. ' +
			'Commit: the part of work spent in frame commits, the main thread blocked while the compositor takes the frame. ' +
			'Latency: the same span end to end, waits for the frame clock included. Idle frame: the median committed frame\'s ' +
			'main-thread task in the 200 ms traced before, the page doing nothing. Interval: the longest gap between rAF ' +
			'timestamps after the input against the median gap before it — headless Chromium here paces frames at about ' +
			'17.5 ms even without vsync (--disable-gpu-vsync --disable-frame-rate-limit, so that commits do not wait for a ' +
			'display deadline); an interval near the idle one means no frame was dropped. Min / median of the runs.'
	);
	const figures = (samples: FrameSample[], pick: (s: FrameSample) => number) => minMedian(summarise(samples.map(pick)));
	const row = (name: string, samples: FrameSample[], target: string) => [
		name,
		String(samples.length),
		figures(samples, (s) => s.workMs),
		figures(samples, (s) => s.cpuMs),
		target,
		figures(samples, (s) => s.commitMs),
		figures(samples, (s) => s.latencyMs),
		figures(samples, (s) => s.idleFrameMs),
		figures(samples, (s) => s.longestIntervalMs),
		figures(samples, (s) => s.idleIntervalMs)
	];
	report.table(
		['interaction', 'runs', 'work ms', 'CPU ms', 'target', 'commit ms', 'latency ms', 'idle frame ms', 'interval ms', 'idle interval ms'],
		frames?.failed || !frames
			? [['–', '0', `failed: ${frames?.failed ?? 'not run'}`, '', '', '', '', '', '', '']]
			: [row('model view redraw (pooling switch)', frames.redraw, '< 16 ms'), row('head view hover (query token)', frames.hover, '< 8 ms')]
	);
}

// ---- cold start ----

async function coldStartBench(browser: Browser, appOrigin: string, serverOrigin: string, bundled: BenchModel | undefined): Promise<void> {
	report.heading('Cold start: app page (worker + bundled model ready) vs a bare onnxruntime-web session');
	if (!bundled) {
		report.paragraph(`Not run: the bundled model ${BUNDLED_MODEL} is not in static/.`);
		return;
	}
	// The page analyses the sample text as it opens; the bare session runs on the same tokens.
	const sampleIds = bundled.tokenizer.encode(SAMPLE_TEXT);
	const rows: string[][] = [];
	try {
		log('cold start: app');
		const { context, page } = await openApp(browser, appOrigin);
		const ready = await loadOutcome(page, 0);
		if (ready.kind === 'error') throw new Error(`the bundled model did not load: ${ready.message}`);
		const firstPaint = (await paintedResult(page, sampleIds.length, 0)).paintedAt;
		const probe = await probeOf(page);
		await context.close();
		rows.push(['app', ready.backend, probe.workerCreatedAt?.toFixed(0) ?? '–', '', '', ready.at.toFixed(0), firstPaint?.toFixed(0) ?? '–']);

		log('cold start: bare onnxruntime-web');
		const bare = await bareColdStart(browser, serverOrigin, { modelUrl: `${serverOrigin}${bundled.path}`, backend: ready.backend, ids: sampleIds }, log);
		rows.push(['bare session', ready.backend, bare.workerStarted.toFixed(0), bare.downloaded.toFixed(0), bare.sessionCreated.toFixed(0), bare.ran.toFixed(0), '']);
	} catch (error) {
		rows.push([`failed: ${reason(error)}`, '', '', '', '', '', '']);
	}
	report.paragraph(
		`${bundled.label}, fresh browser context (nothing cached), ms since navigation start. App: engine worker created; ` +
			'ready = config, tokenizer and ONNX downloaded, graph patched, session created on the backend "Automatic" chose, ' +
			'probe forward checked; then the sample text analysed and painted. Bare: a page whose worker fetches the same ' +
			`ONNX file, creates an unpatched session with the engine's options and runs it once on the sample text's ${sampleIds.length} tokens.`
	);
	report.table(['page', 'backend', 'worker started', 'ONNX downloaded', 'session created', 'ready / ran once', 'first result painted'], rows);
}

// ---- main ----

async function main(): Promise<void> {
	const loadAtStart = loadavg()[0];
	const bigFolder = ensureBenchModel();
	const bundledFolder = fromRoot('static', BUNDLED_MODEL.replace(/^\/+|\/+$/g, ''));
	const bundled = existsSync(`${bundledFolder}/onnx/model.onnx`) ? await describeModel(`bundled ${BUNDLED_MODEL}`, bundledFolder) : undefined;
	const big = await describeModel(`${BENCH_MODEL} 12×12`, bigFolder);
	const models = bundled ? [bundled, big] : [big];

	const pagesDir = fromRoot('bench', '.build', 'pages');
	log('building the bench pages');
	await buildBenchPages(['rollout', 'forward'], pagesDir);
	const mounts = { '/pages/': pagesDir, '/ort/': fromRoot('static', 'ort'), ...Object.fromEntries(models.map((m) => [m.path, m.folder])) };
	const server = await startStaticServer(mounts);
	const preview = await startPreview();
	const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: [...chromiumArgs, ...FRAME_TIMING_ARGS] });
	try {
		report.paragraph(
			`attnscope bench, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC: headless Chromium ${browser.version()}, ` +
				`no GPU (WebGPU = SwiftShader, a CPU emulation), ${cpus().length} CPU cores shared with other work (load average ${loadAtStart.toFixed(1)} at the start). ` +
				`Models: ${models.map((m) => `${m.label} (${m.layers} layers × ${m.heads} heads, up to ${m.maxTokens} tokens)`).join('; ')}. ` +
				'Figures are min / median of the runs stated, all measured in this one run; compare ratios, not absolute times.'
		);
		if (!bundled) report.paragraph(`The bundled model ${BUNDLED_MODEL} (src/lib/models.ts) is not in static/: its rows are missing.`);
		if (runs('forward')) await forwardBench(browser, server.origin, bundled, big);
		if (runs('rollout')) await rolloutBench(browser, server.origin, big);
		if (runs('typing') || runs('frames')) await appBench(browser, preview.origin, server.origin, bundled, big);
		if (runs('cold')) await coldStartBench(browser, preview.origin, server.origin, bundled);
	} finally {
		await browser.close();
		preview.stop();
		await server.close();
	}
	report.paragraph(`Total bench time ${seconds(Date.now() - started)} (load average ${loadavg()[0].toFixed(1)} at the end).`);
	const text = report.toString();
	console.log(text);
	if (!only) writeFileSync(fromRoot('bench', 'latest.md'), `# npm run bench: latest output\n\n${text}`);
}

await main();

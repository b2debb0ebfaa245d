/**
 * Drives the real engine worker from Playwright through the test-only /engine-harness page, returning plain
 * serialisable data (attention values as a number array) for comparison in node.
 */
import type { Page } from '@playwright/test';
import type {
	Backend,
	BackendPreference,
	ErrorCode,
	FileProgress,
	ModelInfo,
	ModelSource,
	Token
} from '../../src/lib/engine/protocol';
import type {} from '../../src/routes/engine-harness/harness';

export interface HarnessAnalysis {
	tokens: Token[];
	backend: Backend;
	/** [layers, heads, queries, keys] */
	shape: number[];
	data: number[];
	truncatedFrom?: number;
	notices: string[];
}

export interface HarnessRun {
	info: ModelInfo;
	progress: FileProgress[];
	analyses: HarnessAnalysis[];
}

export async function openHarness(page: Page): Promise<void> {
	await page.goto('/engine-harness');
	await page.waitForFunction(() => window.engineHarness !== undefined);
}

export interface HarnessLoadOptions {
	/** Weight flavour; the engine's default when absent. */
	dtype?: string;
	/** Where Hub ids resolve (the fixture server in tests). */
	hubHost?: string;
}

/** Loads one model in a fresh engine, analyses each text in turn, and shuts the engine down. */
export function loadAndAnalyse(
	page: Page,
	source: ModelSource,
	backend: BackendPreference,
	texts: string[],
	options: HarnessLoadOptions = {}
): Promise<HarnessRun> {
	return page.evaluate(
		async ({ source, backend, texts, options }) => {
			const harness = window.engineHarness;
			if (!harness) throw new Error('The engine harness is not on the page.');
			const engine = new harness.EngineClient(options.hubHost ? { hubHost: options.hubHost } : {});
			try {
				const progress: FileProgress[] = [];
				const loadOptions = options.dtype ? { backend, dtype: options.dtype } : { backend };
				const info = await engine.load(source, loadOptions, (p) => progress.push(p));
				const analyses: HarnessAnalysis[] = [];
				for (const text of texts) {
					const result = await engine.analyse(text);
					const { layers, heads, queries, keys } = result.attention.shape;
					// Read back a layer at a time, as the page does.
					const data: number[] = [];
					for (let layer = 0; layer < layers; layer++) for (const value of (await result.attention.layer(layer)).data) data.push(value);
					analyses.push({
						tokens: result.tokens,
						backend: result.backend,
						shape: [layers, heads, queries, keys],
						data,
						truncatedFrom: result.truncatedFrom,
						notices: result.notices
					});
				}
				return { info, progress, analyses };
			} finally {
				engine.dispose();
			}
		},
		{ source, backend, texts, options }
	);
}

export interface FailedLoad {
	code: Outcome;
	message: string;
	/** Token ids of `text` analysed with the model loaded before the failure, after it. */
	idsAfter: number[];
}

/**
 * In one engine (WASM): loads `first`, then tries `failing` (`attempts` times, to test retries), then analyses
 * `text` with whatever model is loaded. Reports the last attempt's outcome.
 */
export function loadFailThenAnalyse(
	page: Page,
	hubHost: string,
	first: ModelSource,
	failing: ModelSource,
	text: string,
	attempts = 1
): Promise<FailedLoad[]> {
	return page.evaluate(
		async ({ hubHost, first, failing, text, attempts }) => {
			const harness = window.engineHarness;
			if (!harness) throw new Error('The engine harness is not on the page.');
			const engine = new harness.EngineClient({ hubHost });
			const options = { backend: 'wasm' } as const;
			try {
				await engine.load(first, options);
				const results: FailedLoad[] = [];
				for (let attempt = 0; attempt < attempts; attempt++) {
					const outcome = await engine.load(failing, options).then(
						() => ({ code: 'ok' as const, message: '' }),
						(error: unknown) =>
							error instanceof harness.EngineError
								? { code: error.code, message: error.message }
								: { code: 'internal' as const, message: `not an EngineError: ${String(error)}` }
					);
					const after = await engine.analyse(text);
					results.push({ ...outcome, idsAfter: after.tokens.map((t) => t.id) });
				}
				return results;
			} finally {
				engine.dispose();
			}
		},
		{ hubHost, first, failing, text, attempts }
	);
}

export type Outcome = 'ok' | ErrorCode;

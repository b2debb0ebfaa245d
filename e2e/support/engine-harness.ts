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

/** Loads one model in a fresh engine, analyses each text in turn, and shuts the engine down. */
export function loadAndAnalyse(page: Page, source: ModelSource, backend: BackendPreference, texts: string[]): Promise<HarnessRun> {
	return page.evaluate(
		async ({ source, backend, texts }) => {
			const harness = window.engineHarness;
			if (!harness) throw new Error('The engine harness is not on the page.');
			const engine = new harness.EngineClient();
			try {
				const progress: FileProgress[] = [];
				const info = await engine.load(source, { backend }, (p) => progress.push(p));
				const analyses: HarnessAnalysis[] = [];
				for (const text of texts) {
					const result = await engine.analyse(text);
					const { layers, heads, queries, keys, data } = result.attention;
					analyses.push({
						tokens: result.tokens,
						backend: result.backend,
						shape: [layers, heads, queries, keys],
						data: Array.from(data),
						truncatedFrom: result.truncatedFrom,
						notices: result.notices
					});
				}
				return { info, progress, analyses };
			} finally {
				engine.dispose();
			}
		},
		{ source, backend, texts }
	);
}

export type Outcome = 'ok' | ErrorCode;

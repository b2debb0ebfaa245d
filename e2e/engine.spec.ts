/**
 * The engine end to end in Chromium: the real worker, onnxruntime-web on WebGPU (SwiftShader here) and WASM,
 * against attention that PyTorch computed for the fixture models (tests/fixtures/models/README.md).
 */
import { expect } from '@playwright/test';
import type { Backend } from '../src/lib/engine/protocol';
import { loadAndAnalyse, openHarness, type HarnessAnalysis } from './support/engine-harness';
import { test } from './support/fixture-test';
import { FIXTURE_OWNER } from './support/fixture-server';
import { referenceCases, type ReferenceCase } from './support/reference';

const FIXTURES = [
	{ name: 'tiny-gpt2', decoder: true },
	{ name: 'tiny-bert', decoder: false },
	{ name: 'tiny-llama', decoder: true }
] as const;
const BACKENDS: Backend[] = ['wasm', 'webgpu'];
/** WebGPU's exp (and sin/cos for RoPE) are less precise than WASM's. */
const MAX_ERROR: Record<Backend, number> = { wasm: 1e-4, webgpu: 1e-3 };
const ROW_SUM_TOLERANCE = 1e-4;

interface Deviation {
	maxError: number;
	maxRowSumError: number;
	/** Largest value above the diagonal (future keys), for decoders. */
	maxAboveDiagonal: number;
}

function deviation(actual: HarnessAnalysis, expected: ReferenceCase, decoder: boolean): Deviation {
	const [layers, heads, queries, keys] = actual.shape;
	expect([layers, heads, queries, keys]).toEqual([
		expected.attention.length,
		expected.attention[0].length,
		expected.input_ids.length,
		expected.input_ids.length
	]);
	const result: Deviation = { maxError: 0, maxRowSumError: 0, maxAboveDiagonal: 0 };
	let index = 0;
	for (let l = 0; l < layers; l++) {
		for (let h = 0; h < heads; h++) {
			for (let q = 0; q < queries; q++) {
				let rowSum = 0;
				for (let k = 0; k < keys; k++, index++) {
					const value = actual.data[index];
					rowSum += value;
					result.maxError = Math.max(result.maxError, Math.abs(value - expected.attention[l][h][q][k]));
					if (decoder && k > q) result.maxAboveDiagonal = Math.max(result.maxAboveDiagonal, Math.abs(value));
				}
				result.maxRowSumError = Math.max(result.maxRowSumError, Math.abs(rowSum - 1));
			}
		}
	}
	return result;
}

test.beforeEach(async ({ page }) => {
	await openHarness(page);
});

for (const fixture of FIXTURES) {
	for (const backend of BACKENDS) {
		test(`${fixture.name} on ${backend} reproduces the reference attention`, async ({ page, fixtures }) => {
			// SwiftShader compiles WebGPU shaders on the CPU, once per new sequence length.
			test.slow(backend === 'webgpu');
			const cases = referenceCases(fixture.name);
			const source = { kind: 'url', url: `${fixtures.origin}/${fixture.name}` } as const;
			const run = await loadAndAnalyse(page, source, backend, cases.map((c) => c.text));

			expect(run.info).toMatchObject({ backend, isDecoder: fixture.decoder, layers: cases[0].attention.length });
			expect(run.progress.filter((p) => p.done).map((p) => p.file)).toContain('onnx/model.onnx');

			const worst: Deviation = { maxError: 0, maxRowSumError: 0, maxAboveDiagonal: 0 };
			run.analyses.forEach((analysis, i) => {
				expect(analysis.backend).toBe(backend);
				expect(analysis.tokens.map((t) => t.id)).toEqual(cases[i].input_ids);
				const d = deviation(analysis, cases[i], fixture.decoder);
				worst.maxError = Math.max(worst.maxError, d.maxError);
				worst.maxRowSumError = Math.max(worst.maxRowSumError, d.maxRowSumError);
				worst.maxAboveDiagonal = Math.max(worst.maxAboveDiagonal, d.maxAboveDiagonal);
			});
			console.log(
				`${fixture.name} ${backend}: max |attention − reference| ${worst.maxError.toExponential(2)}, ` +
					`max |row sum − 1| ${worst.maxRowSumError.toExponential(2)}` +
					(fixture.decoder ? `, max above diagonal ${worst.maxAboveDiagonal.toExponential(2)}` : '')
			);
			expect(worst.maxError).toBeLessThanOrEqual(MAX_ERROR[backend]);
			expect(worst.maxRowSumError).toBeLessThanOrEqual(ROW_SUM_TOLERANCE);
			expect(worst.maxAboveDiagonal).toBe(0);
		});
	}
}

test('a result packed into the buffer of the one before holds exactly its own values (WASM)', async ({ page, fixtures }) => {
	// The worker packs each result into the previous one's buffer when it fits (assemble.ts recyclingStorage):
	// `shorter` first gets a fresh buffer, `longer` outgrows it, then `shorter` again is written over `longer`.
	const longer = referenceCases('tiny-gpt2')[2];
	const shorter = longer.text.slice(0, longer.text.lastIndexOf(' '));
	const run = await loadAndAnalyse(page, { kind: 'url', url: `${fixtures.origin}/tiny-gpt2` }, 'wasm', [shorter, longer.text, shorter]);
	const [first, middle, again] = run.analyses;
	expect(first.tokens.length).toBeLessThan(middle.tokens.length);
	// Within the range where the buffer is reused: at least 0.8 of the longer text's tokens.
	expect(first.tokens.length / middle.tokens.length).toBeGreaterThanOrEqual(0.8);
	expect(deviation(middle, longer, true).maxError).toBeLessThanOrEqual(MAX_ERROR.wasm);
	expect(again.shape).toEqual(first.shape);
	expect(again.data).toEqual(first.data);
});

test('loads by Hub id and handles empty, long, superseded, failed, cancelled and crashed requests (WASM)', async ({ page, fixtures }) => {
	const outcomes = await page.evaluate(
		async ({ origin, owner }) => {
			const harness = window.engineHarness;
			if (!harness) throw new Error('The engine harness is not on the page.');
			let worker: Worker | undefined;
			const engine = new harness.EngineClient({
				hubHost: `${origin}/`,
				createWorker: () => (worker = harness.createEngineWorker())
			});
			const outcome = (request: Promise<unknown>) =>
				request.then(
					() => 'ok',
					(error: unknown) => (error instanceof harness.EngineError ? error.code : `not an EngineError: ${String(error)}`)
				);
			const options = { backend: 'wasm' } as const;

			const info = await engine.load({ kind: 'hub', id: `${owner}/tiny-gpt2@main` }, options);
			const empty = await outcome(engine.analyse('  \n'));
			const long = await engine.analyse('The fox and the dog. '.repeat(20));
			const longLayer = await long.attention.layer(1);
			// Sent together, as while typing: only the newest runs.
			const typed = await Promise.all(['T', 'Th', 'The'].map((text) => outcome(engine.analyse(text))));
			// The worker keeps only the newest result's attention.
			const replacedRead = await outcome(long.attention.layer(1));
			const missing = await outcome(engine.load({ kind: 'url', url: `${origin}/no-such-model` }, options));
			const afterFailedLoad = await outcome(engine.analyse('The previous model still works.'));
			const cancelledLoad = engine.load({ kind: 'url', url: `${origin}/tiny-bert` }, options);
			engine.cancelLoad();
			const cancelled = await outcome(cancelledLoad);

			const inFlight = engine.analyse('The worker dies during this request.');
			worker?.dispatchEvent(new ErrorEvent('error', { message: 'simulated crash' }));
			const crashed = await outcome(inFlight);
			const afterCrash = await engine.analyse('The fox and the dog');
			const readAcrossCrash = await outcome(long.attention.layer(0));
			engine.dispose();
			return {
				info,
				empty,
				long: { tokens: long.tokens.length, queries: long.attention.shape.queries, truncatedFrom: long.truncatedFrom },
				longLayer: { layers: longLayer.layers, queries: longLayer.queries, values: longLayer.data.length },
				replacedRead,
				typed,
				missing,
				afterFailedLoad,
				cancelled,
				crashed,
				readAcrossCrash,
				afterCrashIds: afterCrash.tokens.map((t) => t.id)
			};
		},
		{ origin: fixtures.origin, owner: FIXTURE_OWNER }
	);

	expect(outcomes.info).toMatchObject({ name: `${FIXTURE_OWNER}/tiny-gpt2@main`, backend: 'wasm', maxTokens: 64 });
	expect(outcomes.empty).toBe('empty-text');
	expect(outcomes.long).toMatchObject({ tokens: 64, queries: 64 });
	expect(outcomes.long.truncatedFrom).toBeGreaterThan(64);
	expect(outcomes.longLayer).toEqual({ layers: 1, queries: 64, values: outcomes.info.heads * 64 * 64 });
	expect(outcomes.replacedRead).toBe('cancelled');
	// The newest always runs; an older one either ran before the next arrived or was superseded while it waited.
	expect(outcomes.typed.at(-1)).toBe('ok');
	expect(outcomes.typed.every((o) => o === 'ok' || o === 'cancelled')).toBe(true);
	expect(outcomes.typed).toContain('cancelled');
	expect(outcomes.missing).toBe('not-found');
	expect(outcomes.afterFailedLoad).toBe('ok');
	expect(outcomes.cancelled).toBe('cancelled');
	expect(outcomes.crashed).toBe('crashed');
	// `long` came from the worker that crashed: its reads say that, not "replaced by a newer result".
	expect(outcomes.readAcrossCrash).toBe('crashed');
	// The restarted worker reloaded tiny-gpt2 (the cancelled tiny-bert load never became the model).
	expect(outcomes.afterCrashIds).toEqual(referenceCases('tiny-gpt2')[0].input_ids);
});

test('loads and analyses without a request leaving 127.0.0.1', async ({ page, fixtures }) => {
	const requested: string[] = [];
	const blocked: string[] = [];
	await page.context().route('**/*', (route) => {
		const url = new URL(route.request().url());
		requested.push(url.pathname);
		if (url.hostname === '127.0.0.1') return route.continue();
		blocked.push(url.href);
		return route.abort('blockedbyclient');
	});
	await openHarness(page);
	const run = await loadAndAnalyse(page, { kind: 'url', url: `${fixtures.origin}/tiny-bert` }, 'auto', ['The fox and the dog']);
	expect(run.analyses).toHaveLength(1);
	expect(blocked).toEqual([]);
	// The worker's own requests were seen, so nothing slipped past the route.
	expect(requested).toContain('/tiny-bert/onnx/model.onnx');
	expect(requested.some((path) => /^\/ort\/.+\.wasm$/.test(path))).toBe(true);
});

/**
 * The engine end to end in Chromium: the real worker, onnxruntime-web on WebGPU (SwiftShader here) and WASM,
 * against attention that PyTorch computed for the fixture models (tests/fixtures/models/README.md).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test as base } from '@playwright/test';
import type { Backend } from '../src/lib/engine/protocol';
import { loadAndAnalyse, openHarness, type HarnessAnalysis } from './support/engine-harness';
import { FIXTURE_OWNER, FIXTURE_ROOT, startFixtureServer, type FixtureServer } from './support/fixture-server';

interface ReferenceCase {
	text: string;
	input_ids: number[];
	/** [layer][head][query][key] */
	attention: number[][][][];
}

const FIXTURES = [
	{ name: 'tiny-gpt2', decoder: true },
	{ name: 'tiny-bert', decoder: false },
	{ name: 'tiny-llama', decoder: true }
] as const;
const BACKENDS: Backend[] = ['wasm', 'webgpu'];
/** WebGPU's exp (and sin/cos for RoPE) are less precise than WASM's. */
const MAX_ERROR: Record<Backend, number> = { wasm: 1e-4, webgpu: 1e-3 };
const ROW_SUM_TOLERANCE = 1e-4;

const test = base.extend<object, { fixtures: FixtureServer }>({
	fixtures: [
		async ({}, use) => {
			const server = await startFixtureServer();
			await use(server);
			await server.close();
		},
		{ scope: 'worker' }
	]
});

function referenceCases(fixture: string): ReferenceCase[] {
	const parsed: { cases: ReferenceCase[] } = JSON.parse(readFileSync(join(FIXTURE_ROOT, fixture, 'reference.json'), 'utf8'));
	return parsed.cases;
}

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

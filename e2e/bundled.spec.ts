/**
 * The bundled models (static/models/, issue 4) in the browser engine: their attention equals what PyTorch computed at
 * export time (reference.json beside each model), and so do the head scores their model cards report.
 */
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import type { Backend } from '../src/lib/engine/protocol';
import { loadAndAnalyse, openHarness, type HarnessAnalysis } from './support/engine-harness';
import { maxAbsError, referenceCases, type ReferenceCase } from './support/reference';

const MODELS_ROOT = join(process.cwd(), 'static', 'models');
const BUNDLED = [
	{ name: 'attnscope-gpt2-kjv', decoder: true },
	{ name: 'attnscope-bert-kjv', decoder: false }
] as const;
const MAX_ERROR: Record<Backend, number> = { wasm: 1e-4, webgpu: 1e-3 };

/** Flat [l][h][q][k] attention with its shape: an engine run or a PyTorch reference. */
type AttentionGrid = Pick<HarnessAnalysis, 'shape' | 'data'>;

/** Mean over queries q ≥ 1 of attention[l][h][q][q−1], for every head: [layer][head]. */
function previousTokenScores(run: AttentionGrid): number[][] {
	const [layers, heads, size] = run.shape;
	return scoresPerHead(layers, heads, (l, h) => {
		let sum = 0;
		for (let q = 1; q < size; q++) sum += cell(run, l, h, q, q - 1);
		return sum / (size - 1);
	});
}

/**
 * For a sequence whose second half repeats its first (tokens t_1 … t_n t_1 … t_n after an optional prefix), the mean
 * attention from each token of the second copy to the token after its first occurrence: an induction head's signature.
 */
function inductionScores(run: AttentionGrid, prefix: number, period: number): number[][] {
	const [layers, heads] = run.shape;
	return scoresPerHead(layers, heads, (l, h) => {
		let sum = 0;
		for (let j = 0; j < period - 1; j++) sum += cell(run, l, h, prefix + period + j, prefix + j + 1);
		return sum / (period - 1);
	});
}

function scoresPerHead(layers: number, heads: number, score: (layer: number, head: number) => number): number[][] {
	return Array.from({ length: layers }, (_, l) => Array.from({ length: heads }, (_, h) => score(l, h)));
}

function cell(run: AttentionGrid, layer: number, head: number, query: number, key: number): number {
	const [, heads, queries, keys] = run.shape;
	return run.data[((layer * heads + head) * queries + query) * keys + key];
}

function best(scores: number[][], fromLayer = 0): { layer: number; head: number; score: number } {
	let found = { layer: -1, head: -1, score: -Infinity };
	scores.forEach((row, layer) =>
		row.forEach((score, head) => {
			if (layer >= fromLayer && score > found.score) found = { layer, head, score };
		})
	);
	return found;
}

/** Distinct words in a fixed pseudo-random order (Fisher–Yates with a 32-bit LCG), the same on every run. */
function seededWords(count: number, seed: number): string[] {
	const pool = 'stone river lamp harvest cedar tongue silver meadow anchor pillar thunder garden vessel shadow mirror'
		.concat(' candle orchard hammer lantern feather marble willow banner cradle saddle quiver ember harbor')
		.split(' ');
	let state = seed >>> 0;
	for (let i = pool.length - 1; i > 0; i--) {
		state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
		const j = state % (i + 1);
		[pool[i], pool[j]] = [pool[j], pool[i]];
	}
	return pool.slice(0, count);
}

test.beforeEach(async ({ page }) => {
	await openHarness(page);
});

for (const model of BUNDLED) {
	for (const backend of ['wasm', 'webgpu'] as const) {
		test(`${model.name} on ${backend} reproduces the attention PyTorch computed`, async ({ page, baseURL }) => {
			test.slow(backend === 'webgpu');
			const cases = referenceCases(model.name, 'fp32', MODELS_ROOT);
			const source = { kind: 'url', url: `${baseURL}/models/${model.name}/` } as const;
			const run = await loadAndAnalyse(page, source, backend, cases.map((c) => c.text));
			expect(run.info).toMatchObject({ backend, isDecoder: model.decoder });
			let worst = 0;
			run.analyses.forEach((analysis, i) => {
				expect(analysis.tokens.map((t) => t.id)).toEqual(cases[i].input_ids);
				worst = Math.max(worst, maxAbsError(analysis, cases[i]));
			});
			console.log(`${model.name} ${backend}: max |attention − PyTorch| ${worst.toExponential(2)}`);
			expect(worst).toBeLessThanOrEqual(MAX_ERROR[backend]);
		});
	}
}

/** The same per-head scores computed from PyTorch's attention (reference.json) instead of the engine's. */
function referenceScores(reference: ReferenceCase, score: (run: AttentionGrid) => number[][]): number[][] {
	const { attention, input_ids } = reference;
	const shape = [attention.length, attention[0].length, input_ids.length, input_ids.length];
	return score({ shape, data: attention.flat(3) });
}

/**
 * Issue 4 asks for a previous-token head (> 0.5) and an induction head. The committed weights are under-trained and
 * have neither yet (their model card says so), so this test checks that the browser measures the same head scores
 * PyTorch does, and prints the figures next to the targets.
 */
test("head scores of the bundled GPT-2 measured in the browser equal PyTorch's", async ({ page, baseURL }) => {
	const words = seededWords(24, 7);
	// A leading space on every word makes the second copy tokenise exactly like the first.
	const half = words.map((w) => ` ${w}`).join('');
	const heldOut = referenceCases('attnscope-gpt2-kjv', 'fp32', MODELS_ROOT).at(-1);
	if (!heldOut) throw new Error('attnscope-gpt2-kjv has no reference cases.');
	const source = { kind: 'url', url: `${baseURL}/models/attnscope-gpt2-kjv/` } as const;
	const [prose, repeated] = (await loadAndAnalyse(page, source, 'wasm', [heldOut.text, half + half])).analyses;

	const browserScores = previousTokenScores(prose);
	const pytorchScores = referenceScores(heldOut, previousTokenScores);
	browserScores.flat().forEach((score, i) => expect(Math.abs(score - pytorchScores.flat()[i])).toBeLessThan(1e-4));

	const period = repeated.tokens.length / 2;
	expect(Number.isInteger(period)).toBe(true);
	expect(repeated.tokens.slice(period).map((t) => t.id)).toEqual(repeated.tokens.slice(0, period).map((t) => t.id));
	const previous = best(browserScores);
	const induction = best(inductionScores(repeated, 0, period), 1);
	// Uniform attention over the visible keys gives the second copy's queries about 1/(position + 1) each.
	const chance = Array.from({ length: period - 1 }, (_, j) => 1 / (period + j + 1)).reduce((a, b) => a + b) / (period - 1);
	console.log(
		`previous-token head: layer ${previous.layer} head ${previous.head}, mean ${previous.score.toFixed(3)} (target > 0.5); ` +
			`induction head: layer ${induction.layer} head ${induction.head}, mean ${induction.score.toFixed(3)} (chance ${chance.toFixed(3)})`
	);
});

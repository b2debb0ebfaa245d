import { describe, expect, it } from 'vitest';
import type { AttentionTensor } from '$lib/attention';
import { attentionRollout } from './rollout';
import { syntheticAttention } from './synthetic';

/** Builds a tensor from nested [layer][head][query][key] literals (tests only). */
function tensor(values: number[][][][]): AttentionTensor {
	const flat = values.flat(3);
	return {
		layers: values.length,
		heads: values[0].length,
		queries: values[0][0].length,
		keys: values[0][0][0].length,
		data: Float32Array.from(flat)
	};
}

function expectClose(actual: Float32Array, expected: number[], tolerance = 1e-6): void {
	expect(actual.length).toBe(expected.length);
	actual.forEach((v, i) => expect(Math.abs(v - expected[i]), `cell ${i}`).toBeLessThan(tolerance));
}

/*
 * Hand-computed: 2 layers, 2 heads, 3 tokens.
 *
 * Layer 0  head 0 = [1 0 0; .5 .5 0; .2 .3 .5]   head 1 = [1 0 0; .5 .5 0; .6 .3 .1]
 *          mean   = [1 0 0; .5 .5 0; .4 .3 .3]
 *          Â0 = .5·mean + .5·I = [1 0 0; .25 .75 0; .2 .15 .65]   (rows already sum to 1)
 * Layer 1  head 0 = I                             head 1 = [1 0 0; 0 1 0; 0 1 0]
 *          mean   = [1 0 0; 0 1 0; 0 .5 .5]
 *          Â1 = [1 0 0; 0 1 0; 0 .25 .75]
 * R = Â1·Â0:
 *   row 0 = Â0 row 0                              = [1      0      0     ]
 *   row 1 = Â0 row 1                              = [.25    .75    0     ]
 *   row 2 = .25·[.25 .75 0] + .75·[.2 .15 .65]    = [.2125  .3     .4875 ]
 * (The reversed product Â0·Â1 would give row 2 = [.2 .3125 .4875], so the order is tested.)
 */
const handExample = tensor([
	[
		[[1, 0, 0], [0.5, 0.5, 0], [0.2, 0.3, 0.5]],
		[[1, 0, 0], [0.5, 0.5, 0], [0.6, 0.3, 0.1]]
	],
	[
		[[1, 0, 0], [0, 1, 0], [0, 0, 1]],
		[[1, 0, 0], [0, 1, 0], [0, 1, 0]]
	]
]);

/** Plain reference: mean over heads, add identity, normalise rows, multiply left to right. */
function naiveRollout(t: AttentionTensor, start: number): number[][] {
	const n = t.queries;
	const at = (l: number, h: number, q: number, k: number) => t.data[((l * t.heads + h) * n + q) * n + k];
	const augmented: number[][][] = [];
	for (let l = start; l < t.layers; l++) {
		const a: number[][] = [];
		for (let q = 0; q < n; q++) {
			const row: number[] = [];
			for (let k = 0; k < n; k++) {
				let mean = 0;
				for (let h = 0; h < t.heads; h++) mean += at(l, h, q, k) / t.heads;
				row.push(0.5 * mean + (q === k ? 0.5 : 0));
			}
			const sum = row.reduce((s, v) => s + v, 0);
			a.push(row.map((v) => v / sum));
		}
		augmented.push(a);
	}
	// R = Â_last · … · Â_start: start from the last layer and multiply on the right.
	let r = augmented[augmented.length - 1];
	for (let i = augmented.length - 2; i >= 0; i--) {
		const right = augmented[i];
		const product: number[][] = [];
		for (let row = 0; row < n; row++) {
			const out: number[] = [];
			for (let col = 0; col < n; col++) {
				let s = 0;
				for (let k = 0; k < n; k++) s += r[row][k] * right[k][col];
				out.push(s);
			}
			product.push(out);
		}
		r = product;
	}
	return r;
}

describe('attentionRollout', () => {
	it('matches the hand-computed 2-layer, 2-head, 3-token example', () => {
		expectClose(attentionRollout(handExample), [1, 0, 0, 0.25, 0.75, 0, 0.2125, 0.3, 0.4875]);
	});

	it('starting at the last layer gives that layer’s Â alone', () => {
		expectClose(attentionRollout(handExample, 1), [1, 0, 0, 0, 1, 0, 0, 0.25, 0.75]);
	});

	it('renormalises rows that do not sum to one', () => {
		// Â = .5·[0 0; 1 1] + .5·I = [.5 0; .5 1] → rows divided by .5 and 1.5.
		const t = tensor([[[[0, 0], [1, 1]]]]);
		expectClose(attentionRollout(t), [1, 0, 1 / 3, 2 / 3]);
	});

	for (const causal of [false, true]) {
		it(`equals a naive reference on random ${causal ? 'causal' : 'bidirectional'} tensors`, () => {
			for (const [seed, start] of [[1, 0], [2, 2], [3, 4]]) {
				const t = syntheticAttention(5, 3, 7, { causal, seed });
				const expected = naiveRollout(t, start).flat();
				expectClose(attentionRollout(t, start), expected, 1e-6);
			}
		});
	}

	it('keeps rows stochastic and causal structure lower-triangular', () => {
		const n = 9;
		const r = attentionRollout(syntheticAttention(4, 2, n, { causal: true, seed: 7 }));
		for (let q = 0; q < n; q++) {
			let sum = 0;
			for (let k = 0; k < n; k++) {
				sum += r[q * n + k];
				if (k > q) expect(r[q * n + k]).toBe(0);
			}
			expect(sum).toBeCloseTo(1, 6);
		}
	});

	it('rejects start layers outside the model and non-square attention', () => {
		expect(() => attentionRollout(handExample, 2)).toThrow(RangeError);
		expect(() => attentionRollout(handExample, -1)).toThrow(RangeError);
		expect(() => attentionRollout({ ...handExample, keys: 4 })).toThrow(RangeError);
	});
});

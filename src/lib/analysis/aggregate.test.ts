import { describe, expect, it } from 'vitest';
import { headMatrix } from '$lib/attention';
import { headMax, headMean, layerMatrix, matrixMax, poolMatrix, saliencyRow } from './aggregate';
import { syntheticAttention } from './synthetic';

describe('head aggregates', () => {
	const t = syntheticAttention(2, 3, 4, { seed: 5 });

	it('mean and max are element-wise over the heads of the chosen layer', () => {
		const heads = [0, 1, 2].map((h) => headMatrix(t, 1, h));
		const mean = headMean(t, 1);
		const max = headMax(t, 1);
		for (let i = 0; i < 16; i++) {
			const values = heads.map((m) => m[i]);
			expect(mean[i]).toBeCloseTo((values[0] + values[1] + values[2]) / 3, 6);
			expect(max[i]).toBe(Math.max(...values));
		}
	});

	it('does not alias the tensor for mean/max, and returns the head itself for a number', () => {
		const max = headMax(t, 0);
		max[0] = 42;
		expect(t.data[0]).not.toBe(42);
		expect(layerMatrix(t, 1, 2)).toEqual(headMatrix(t, 1, 2));
		expect(layerMatrix(t, 1, 'mean')).toEqual(headMean(t, 1));
		expect(layerMatrix(t, 1, 'max')).toEqual(headMax(t, 1));
	});

	it('matrixMax is 0 for an empty or all-zero matrix', () => {
		expect(matrixMax(new Float32Array(0))).toBe(0);
		expect(matrixMax(new Float32Array(3))).toBe(0);
		expect(matrixMax(Float32Array.of(0.25, 0.5))).toBe(0.5);
	});
});

describe('saliencyRow', () => {
	it('copies the target row of a square matrix', () => {
		const m = Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9);
		const row = saliencyRow(m, 3, 2);
		expect(Array.from(row)).toEqual([7, 8, 9]);
		row[0] = 0;
		expect(m[6]).toBe(7);
	});

	it('rejects targets outside the matrix', () => {
		const m = new Float32Array(4);
		expect(() => saliencyRow(m, 2, 2)).toThrow(RangeError);
		expect(() => saliencyRow(m, 2, -1)).toThrow(RangeError);
		expect(() => saliencyRow(m, 2, 0.5)).toThrow(RangeError);
	});
});

describe('poolMatrix', () => {
	// 4 × 4, values 0…15 row-major.
	const m = Float32Array.from({ length: 16 }, (_, i) => i);

	it('max-pools and mean-pools 2×2 blocks', () => {
		expect(Array.from(poolMatrix(m, 4, 4, 2, 2).max)).toEqual([5, 7, 13, 15]);
		expect(Array.from(poolMatrix(m, 4, 4, 2, 2).mean)).toEqual([2.5, 4.5, 10.5, 12.5]);
	});

	it('is the identity when the size does not change', () => {
		expect(poolMatrix(m, 4, 4, 4, 4).max).toEqual(m);
		expect(poolMatrix(m, 4, 4, 4, 4).mean).toEqual(m);
	});

	it('covers every cell exactly once with uneven blocks', () => {
		const rows = 7;
		const cols = 5;
		const ones = new Float32Array(rows * cols).fill(1);
		// With all-ones input, mean pooling is 1 everywhere; the cell-weighted sum of means recovers the total.
		expect(Array.from(poolMatrix(ones, rows, cols, 3, 2).mean).every((v) => v === 1)).toBe(true);
		const t = syntheticAttention(1, 1, 37, { seed: 9 });
		const pooled = poolMatrix(t.data, 37, 37, 5, 5).max;
		expect(matrixMax(pooled)).toBe(matrixMax(t.data));
	});

	it('keeps a single spike visible under max pooling but dilutes it under mean pooling', () => {
		const spike = new Float32Array(64 * 64);
		spike[10 * 64 + 50] = 1;
		const max = poolMatrix(spike, 64, 64, 8, 8).max;
		const mean = poolMatrix(spike, 64, 64, 8, 8).mean;
		expect(max[1 * 8 + 6]).toBe(1);
		expect(mean[1 * 8 + 6]).toBeCloseTo(1 / 64, 8);
	});

	it('equals a naive block-by-block max and mean on a random matrix with uneven blocks', () => {
		const rows = 23;
		const cols = 17;
		const source = syntheticAttention(1, 1, 23, { seed: 4 }).data.subarray(0, rows * cols);
		const { max, mean } = poolMatrix(source, rows, cols, 5, 4);
		for (let r = 0; r < 5; r++) {
			for (let c = 0; c < 4; c++) {
				const block: number[] = [];
				for (let i = 0; i < rows; i++) {
					for (let j = 0; j < cols; j++) {
						if (Math.floor((i * 5) / rows) === r && Math.floor((j * 4) / cols) === c) block.push(source[i * cols + j]);
					}
				}
				expect(max[r * 4 + c]).toBe(Math.max(...block));
				expect(mean[r * 4 + c]).toBeCloseTo(block.reduce((x, y) => x + y, 0) / block.length, 7);
			}
		}
	});

	it('refuses to upsample or produce empty output', () => {
		expect(() => poolMatrix(m, 4, 4, 5, 4)).toThrow(RangeError);
		expect(() => poolMatrix(m, 4, 4, 0, 4)).toThrow(RangeError);
	});
});

describe('syntheticAttention', () => {
	it('gives softmax rows, causal when asked, and patterned heads their favourite key', () => {
		const n = 6;
		const t = syntheticAttention(1, 4, n, { causal: true, patterned: true, seed: 4 });
		for (let h = 0; h < 4; h++) {
			const m = headMatrix(t, 0, h);
			for (let q = 0; q < n; q++) {
				const row = Array.from(m.subarray(q * n, (q + 1) * n));
				expect(row.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 6);
				expect(row.slice(q + 1).every((v) => v === 0)).toBe(true);
				const argmax = row.indexOf(Math.max(...row));
				if (h === 0) expect(argmax).toBe(0);
				if (h === 1) expect(argmax).toBe(Math.max(0, q - 1));
				if (h === 2) expect(argmax).toBe(q);
			}
		}
	});
});

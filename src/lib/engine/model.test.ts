import { describe, expect, it } from 'vitest';
import { checkAttention } from './model';

const tensor = (...values: number[]) => ({ layers: 1, heads: 1, queries: 2, keys: 2, data: Float32Array.from(values) });

describe('checkAttention', () => {
	it('accepts rows that are probability distributions', () => {
		expect(() => checkAttention(tensor(1, 0, 0.25, 0.75))).not.toThrow();
	});

	it('rejects non-finite values and rows that do not sum to 1, as a backend failure', () => {
		expect(() => checkAttention(tensor(1, 0, NaN, 1))).toThrow(/NaN/);
		expect(() => checkAttention(tensor(1, 0, 0.5, 0.4))).toThrow(/sums to/);
		expect(() => checkAttention(tensor(0.5, 0.4, 0.5, 0.5))).toThrow(expect.objectContaining({ code: 'backend' }));
	});
});

import { describe, expect, it } from 'vitest';
import { attentionAt } from '$lib/attention';
import { assembleAttention, AttentionShapeError, halfToFloat, recyclingStorage } from './assemble';

describe('halfToFloat', () => {
	it('decodes normal, subnormal and special binary16 values', () => {
		expect(halfToFloat(0x3c00)).toBe(1);
		expect(halfToFloat(0x3800)).toBe(0.5);
		expect(halfToFloat(0xc000)).toBe(-2);
		expect(halfToFloat(0x0000)).toBe(0);
		expect(halfToFloat(0x0001)).toBe(2 ** -24);
		expect(halfToFloat(0x7bff)).toBe(65504);
		expect(halfToFloat(0x7c00)).toBe(Infinity);
		expect(halfToFloat(0x7e00)).toBeNaN();
		expect(halfToFloat(0x3555)).toBeCloseTo(1 / 3, 3);
	});
});

describe('assembleAttention', () => {
	it('lays layers out as [layer][head][query][key]', () => {
		// Two layers, one head, 2×2; layer 1 arrives as float16 bits.
		const tensor = assembleAttention([
			{ dims: [1, 1, 2, 2], data: Float32Array.of(1, 0, 0.25, 0.75) },
			{ dims: [1, 1, 2, 2], data: Uint16Array.of(0x3c00, 0, 0x3800, 0x3800) }
		]);
		expect(tensor).toMatchObject({ layers: 2, heads: 1, queries: 2, keys: 2 });
		expect(attentionAt(tensor, 0, 0, 1, 1)).toBe(0.75);
		expect(attentionAt(tensor, 1, 0, 0, 0)).toBe(1);
		expect(attentionAt(tensor, 1, 0, 1, 0)).toBe(0.5);
	});

	it('rejects outputs whose shapes disagree or do not match their data', () => {
		const layer = { dims: [1, 1, 2, 2], data: new Float32Array(4) };
		expect(() => assembleAttention([layer, { dims: [1, 2, 2, 2], data: new Float32Array(8) }])).toThrow(AttentionShapeError);
		expect(() => assembleAttention([{ dims: [1, 1, 2, 2], data: new Float32Array(3) }])).toThrow(/holds 3 values/);
		expect(() => assembleAttention([{ dims: [2, 1, 2, 2], data: new Float32Array(8) }])).toThrow(/expected \[1, heads/);
		expect(() => assembleAttention([])).toThrow(AttentionShapeError);
	});
});

describe('recyclingStorage', () => {
	const layerOf = (...values: number[]) => ({ dims: [1, 1, 2, 2], data: Float32Array.from(values) });

	it('packs the next result into the previous one\'s buffer, with the new values only', () => {
		const first = assembleAttention([layerOf(1, 0, 0.5, 0.5), layerOf(1, 0, 0.25, 0.75)], recyclingStorage(() => undefined));
		// A fresh buffer has headroom: 8 values used, more allocated.
		expect(first.data.buffer.byteLength).toBeGreaterThan(first.data.byteLength);
		let asked = 0;
		const second = assembleAttention([layerOf(0, 1, 0.125, 0.875), layerOf(1, 0, 0, 1)], recyclingStorage(() => (asked++, first.data)));
		expect(asked).toBe(1);
		expect(second.data.buffer).toBe(first.data.buffer);
		expect([...second.data]).toEqual([0, 1, 0.125, 0.875, 1, 0, 0, 1]);
	});

	it('allocates afresh when the spare is too small or far too large', () => {
		const small = new Float32Array(4);
		const grown = assembleAttention([layerOf(1, 0, 0, 1), layerOf(1, 0, 0, 1)], recyclingStorage(() => small));
		expect(grown.data.buffer).not.toBe(small.buffer);
		const huge = new Float32Array(100);
		const shrunk = assembleAttention([layerOf(1, 0, 0, 1)], recyclingStorage(() => huge));
		expect(shrunk.data.buffer).not.toBe(huge.buffer);
		expect([...shrunk.data]).toEqual([1, 0, 0, 1]);
	});

	it('leaves the spare alone when the outputs are malformed', () => {
		let asked = false;
		const storage = recyclingStorage(() => ((asked = true), undefined));
		expect(() => assembleAttention([layerOf(1, 0, 0, 1), { dims: [1, 2, 2, 2], data: new Float32Array(8) }], storage)).toThrow(AttentionShapeError);
		expect(asked).toBe(false);
	});
});

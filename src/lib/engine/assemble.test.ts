import { describe, expect, it } from 'vitest';
import { attentionAt } from '$lib/attention';
import { assembleAttention, AttentionShapeError, halfToFloat } from './assemble';

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

import { describe, expect, it } from 'vitest';
import { formatFloat32 } from './format';
import { seededRandom } from './synthetic';

describe('formatFloat32', () => {
	it('prints float32 values without float64 noise', () => {
		expect(formatFloat32(Math.fround(0.1))).toBe('0.1');
		expect(formatFloat32(Math.fround(1 / 3))).toBe('0.33333334');
		expect(formatFloat32(1)).toBe('1');
		expect(formatFloat32(0)).toBe('0');
		expect(formatFloat32(Math.fround(1e-8))).toBe('1e-8');
	});

	it('round-trips every value exactly', () => {
		const random = seededRandom(3);
		const values = new Float32Array(2000).map(() => random() ** 6);
		for (const v of values) expect(Math.fround(Number(formatFloat32(v)))).toBe(v);
	});

	it('passes non-finite values through', () => {
		expect(formatFloat32(Number.NaN)).toBe('NaN');
		expect(formatFloat32(Infinity)).toBe('Infinity');
	});
});

import { describe, expect, it } from 'vitest';
import { softmaxRowsInPlace } from './softmax';

describe('softmaxRowsInPlace', () => {
	it('normalises each row on its own and is shift-invariant', () => {
		const scores = Float32Array.of(0, Math.log(3), 50, 50 + Math.log(3));
		softmaxRowsInPlace(scores, 2);
		expect(Array.from(scores)).toEqual([expect.closeTo(0.25, 5), expect.closeTo(0.75, 5), expect.closeTo(0.25, 5), expect.closeTo(0.75, 5)]);
	});

	it('gives masked keys (scores around -10000) zero weight', () => {
		const scores = Float32Array.of(1, 2, -10000);
		softmaxRowsInPlace(scores, 3);
		expect(scores[2]).toBe(0);
		expect(scores[0] + scores[1]).toBeCloseTo(1, 6);
	});
});

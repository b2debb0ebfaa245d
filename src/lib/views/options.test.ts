import { describe, expect, it } from 'vitest';
import { clampIndex, describeHeadChoice, headChoiceOptions, indexOptions } from './options';

describe('control options', () => {
	it('lists 0-based indices and the head aggregates first', () => {
		expect(indexOptions(3).map((o) => o.value)).toEqual([0, 1, 2]);
		expect(headChoiceOptions(2).map((o) => o.value)).toEqual(['mean', 'max', 0, 1]);
		expect(describeHeadChoice('mean')).toBe('mean of heads');
		expect(describeHeadChoice(4)).toBe('head 4');
	});

	it('clamps stale or malformed indices into range', () => {
		expect(clampIndex(12, 12)).toBe(11);
		expect(clampIndex(-3, 12)).toBe(0);
		expect(clampIndex(Number.NaN, 12)).toBe(0);
		expect(clampIndex(2.7, 12)).toBe(2);
		expect(clampIndex(0, 0)).toBe(0);
	});
});

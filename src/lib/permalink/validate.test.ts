import { describe, expect, it } from 'vitest';
import { defaultState } from './state';
import { validateAgainstModel, validateAgainstTokens } from './validate';

const model = { layers: 2, heads: 4 };

describe('validation against the loaded model', () => {
	it('keeps a state that fits', () => {
		const state = { ...defaultState(), layer: 1, heads: [0, 3], heatmapHead: 3, rolloutStart: 1 };
		expect(validateAgainstModel(state, model)).toEqual({ state, notices: [] });
	});

	it.each([
		['layer', { layer: 2 }, { layer: 0 }, /Layer 2 does not exist \(the model has 2 layers/],
		['rollout start', { rolloutStart: 5 }, { rolloutStart: 0 }, /Rollout start layer 5/],
		['head list', { heads: [1, 4, 9] }, { heads: 'all' }, /Head 4, 9 does not exist \(the model has 4 heads per layer/],
		['heatmap head', { heatmapHead: 4 }, { heatmapHead: 'mean' }, /Heatmap head 4/]
	])('resets an out-of-range %s with a notice', (_, patch, expected, notice) => {
		const result = validateAgainstModel({ ...defaultState(), ...patch }, model);
		expect(result.state).toMatchObject(expected);
		expect(result.notices).toHaveLength(1);
		expect(result.notices[0]).toMatch(notice);
	});

	it('spells a list of every head as "all"', () => {
		expect(validateAgainstModel({ ...defaultState(), heads: [0, 1, 2, 3] }, model).state.heads).toBe('all');
	});

	it('keeps mean and max heatmap modes', () => {
		expect(validateAgainstModel({ ...defaultState(), heatmapHead: 'max' }, model).state.heatmapHead).toBe('max');
	});

	it('resets a token past the end of the text', () => {
		expect(validateAgainstTokens({ ...defaultState(), token: 3 }, 4).notices).toEqual([]);
		const result = validateAgainstTokens({ ...defaultState(), token: 4 }, 4);
		expect(result.state.token).toBeNull();
		expect(result.notices[0]).toMatch(/Token 4 does not exist \(the text has 4 tokens\)/);
	});
});

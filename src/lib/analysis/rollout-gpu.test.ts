import { describe, expect, it } from 'vitest';
import { attentionRollout } from './rollout';
import { computeRollout, rolloutBackend } from './rollout-gpu';
import { syntheticAttention } from './synthetic';

// Node has no WebGPU: these cover the CPU fallback. e2e/rollout-gpu.spec.ts runs the shaders in Chromium.
describe('computeRollout without WebGPU', () => {
	it('falls back to rollout.ts and gives its result exactly', async () => {
		const t = syntheticAttention(3, 2, 6, { causal: true, seed: 5 });
		expect(await rolloutBackend()).toBe('cpu');
		expect(await computeRollout(t, 1)).toEqual(attentionRollout(t, 1));
	});

	it('rejects what attentionRollout rejects', async () => {
		const t = syntheticAttention(2, 1, 3, { seed: 1 });
		await expect(computeRollout(t, 2)).rejects.toThrow(RangeError);
		await expect(computeRollout({ ...t, keys: 4 })).rejects.toThrow(RangeError);
	});
});

import { describe, expect, it } from 'vitest';
import { poolHeads } from '$lib/analysis/aggregate';
import { attentionRollout } from '$lib/analysis/rollout';
import { syntheticAttention } from '$lib/analysis/synthetic';
import { attentionAt } from '$lib/attention';
import { answerRead, answerTransfer, attentionReader, tensorReader } from './reads';

describe('reading attention kept elsewhere', () => {
	const tensor = syntheticAttention(3, 2, 5, { causal: true, seed: 4 });

	it('reads a layer as a one-layer tensor with the same values, as a copy', async () => {
		const layer = await tensorReader(tensor).layer(2);
		expect([layer.layers, layer.heads, layer.queries, layer.keys]).toEqual([1, 2, 5, 5]);
		for (let head = 0; head < 2; head++) {
			for (let q = 0; q < 5; q++) {
				for (let k = 0; k < 5; k++) expect(attentionAt(layer, 0, head, q, k)).toBe(attentionAt(tensor, 2, head, q, k));
			}
		}
		expect(layer.data.buffer).not.toBe(tensor.data.buffer);
	});

	it('refuses a layer the tensor does not have', async () => {
		await expect(tensorReader(tensor).layer(3)).rejects.toThrow(RangeError);
		await expect(tensorReader(tensor).layer(-1)).rejects.toThrow(RangeError);
	});

	it('pools and rolls out the whole tensor as the analysis functions do', async () => {
		const reader = tensorReader(tensor);
		expect(reader.shape).toEqual({ layers: 3, heads: 2, queries: 5, keys: 5 });
		expect(await reader.pooled(3)).toEqual(poolHeads(tensor, 3));
		expect(await reader.rollout(1)).toEqual(attentionRollout(tensor, 1));
	});

	it('hands over every buffer of an answer, none of the kept tensor', async () => {
		const kept = tensor.data.buffer;
		for (const read of [{ kind: 'layer', layer: 0 }, { kind: 'pooled', size: 2 }, { kind: 'rollout', startLayer: 0 }] as const) {
			const buffers = answerTransfer(await answerRead(tensor, read));
			expect(buffers.length).toBe(read.kind === 'pooled' ? 2 * 3 * 2 : 1);
			expect(buffers).not.toContain(kept);
		}
	});

	it('says so when an answer is of another kind than asked', async () => {
		const reader = attentionReader(tensor, () => answerRead(tensor, { kind: 'rollout', startLayer: 0 }));
		await expect(reader.layer(0)).rejects.toThrow('answered a layer read with a rollout');
	});
});

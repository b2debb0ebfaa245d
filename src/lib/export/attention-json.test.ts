import { describe, expect, it } from 'vitest';
import type { AttentionTensor } from '$lib/attention';
import { attentionRollout } from '$lib/analysis/rollout';
import { syntheticAttention } from '$lib/analysis/synthetic';
import { tensorReader } from '$lib/engine/reads';
import { ATTENTION_FORMAT, attentionJsonBlob, attentionJsonParts, type AttentionExport, type AttentionJson, type JsonFloat } from './attention-json';

const tokens = (count: number) =>
	Array.from({ length: count }, (_, i) => ({ text: i === 0 ? '"quoted" <b>\n' : ` tok${i}`, id: 100 + i, special: i === 0 }));

async function joined(parts: AsyncIterable<string>): Promise<string> {
	let text = '';
	for await (const part of parts) text += part;
	return text;
}

async function parse(tensor: AttentionTensor, rollout?: AttentionExport['rollout']): Promise<AttentionJson> {
	const input = { model: 'Xenova/gpt2', backend: 'wasm' as const, tokens: tokens(tensor.queries), attention: tensorReader(tensor), rollout };
	return JSON.parse(await joined(attentionJsonParts(input)));
}

/** Flattens nested JSON arrays back into float32, checking every level has the declared length. */
function flatten(nested: unknown, shape: number[]): Float32Array {
	const out: number[] = [];
	const walk = (value: unknown, depth: number) => {
		expect(Array.isArray(value)).toBe(true);
		const items = value as unknown[];
		expect(items).toHaveLength(shape[depth]);
		for (const item of items) {
			if (depth === shape.length - 1) out.push((item as JsonFloat) ?? NaN);
			else walk(item, depth + 1);
		}
	};
	walk(nested, 0);
	return Float32Array.from(out);
}

describe('attention JSON export', () => {
	it('writes the GUIDE §4 header', async () => {
		const json = await parse(syntheticAttention(2, 3, 4));
		expect(json.format).toBe(ATTENTION_FORMAT);
		expect(json.model).toBe('Xenova/gpt2');
		expect(json.backend).toBe('wasm');
		expect(json.tokens).toEqual(['"quoted" <b>\n', ' tok1', ' tok2', ' tok3']);
		expect(json.token_ids).toEqual([100, 101, 102, 103]);
		expect(json.shape).toEqual([2, 3, 4, 4]);
		expect(json.rollout).toBeUndefined();
		expect(json.rollout_start_layer).toBeUndefined();
		expect(Object.keys(json)).toEqual(['format', 'model', 'backend', 'tokens', 'token_ids', 'shape', 'attention']);
	});

	it.each([
		[1, 1, 1],
		[1, 1, 5],
		[3, 2, 1],
		[2, 4, 7]
	])('round-trips a %i×%i×%i tensor bit for bit', async (layers, heads, size) => {
		const tensor = syntheticAttention(layers, heads, size, { causal: true, seed: layers * 100 + size });
		const json = await parse(tensor);
		expect(flatten(json.attention, [layers, heads, size, size])).toEqual(tensor.data);
	});

	it('keeps awkward float32 values exactly and writes non-finite ones as null', async () => {
		const values = [0, -0, 1, 1e-45, 1.1754942e-38, 0.1, 1 / 3, 0.99999994, 3.4028235e38, NaN, Infinity, 2 ** -20];
		const tensor: AttentionTensor = { layers: 1, heads: 3, queries: 2, keys: 2, data: Float32Array.from(values) };
		const json = await parse(tensor);
		const back = flatten(json.attention, [1, 3, 2, 2]);
		for (let i = 0; i < values.length; i++) {
			if (Number.isFinite(tensor.data[i])) expect(Object.is(back[i], tensor.data[i] === 0 ? 0 : tensor.data[i])).toBe(true);
			else expect(json.attention.flat(3)[i]).toBeNull();
		}
	});

	it('adds the rollout matrix when given', async () => {
		const tensor = syntheticAttention(3, 2, 5, { seed: 9 });
		const rollout = attentionRollout(tensor, 1);
		const json = await parse(tensor, { matrix: rollout, startLayer: 1 });
		expect(flatten(json.rollout, [5, 5])).toEqual(rollout);
		expect(json.rollout_start_layer).toBe(1);
	});

	it('streams into a Blob of the same text', async () => {
		const input = { model: 'm', backend: 'webgpu' as const, tokens: tokens(3), attention: tensorReader(syntheticAttention(2, 2, 3)) };
		const blob = await attentionJsonBlob(input);
		expect(blob.type).toBe('application/json');
		expect(await blob.text()).toBe(await joined(attentionJsonParts(input)));
	});
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { patchForAttention } from './attention-patch';

const fixture = (name: string) => new Uint8Array(readFileSync(`tests/fixtures/models/${name}/onnx/model.onnx`));

describe('patchForAttention', () => {
	it('uses the Softmax outputs of unfused graphs, on any backend', () => {
		const patch = patchForAttention(fixture('tiny-gpt2'));
		expect(patch).toMatchObject({ outputsAreScores: false, wasmOnlyOp: undefined });
		expect(patch.patched.outputs).toHaveLength(2);
	});

	it('switches on GroupQueryAttention probabilities (WASM only)', () => {
		const patch = patchForAttention(fixture('tiny-llama-gqa'));
		expect(patch).toMatchObject({ outputsAreScores: false, wasmOnlyOp: 'com.microsoft::GroupQueryAttention' });
	});

	it('takes MultiHeadAttention scores, to be softmaxed (WASM only)', () => {
		const patch = patchForAttention(fixture('tiny-bert-mha'));
		expect(patch).toMatchObject({ outputsAreScores: true, wasmOnlyOp: 'com.microsoft::MultiHeadAttention' });
	});
});

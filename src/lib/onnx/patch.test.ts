import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { ElemType, attribute, scanModel } from './graph';
import { ATTENTION_OUTPUT_PREFIX } from './outputs';
import { patchModelForAttention } from './patch';
import { concatBytes } from './protobuf';
import { patchFusedAttentionForQk } from './qk-output';
import { graphOutputsFragment } from './rewrite';
import { encodeModel } from './testing/build-model';
import {
	BERT,
	GPT2,
	HEADS,
	LLAMA,
	SEQ,
	UNFUSED_GQA,
	buildAttentionModel,
	buildGroupQueryAttentionModel,
	buildMergedDecoder,
	type AttentionStyle
} from './testing/models';
import { RUNTIME_TIMEOUT, runModel, standardFeeds, values } from './testing/run';

/** Checks [1, HEADS, SEQ, SEQ] probabilities: rows sum to 1, and decoders attend to no future token. */
function expectAttention(data: Float32Array, causal: boolean, tolerance = 1e-5) {
	expect(data.length).toBe(HEADS * SEQ * SEQ);
	for (let row = 0; row < HEADS * SEQ; row++) {
		const cells = data.subarray(row * SEQ, (row + 1) * SEQ);
		expect(Math.abs(cells.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(tolerance);
		const query = row % SEQ;
		if (causal) for (let key = query + 1; key < SEQ; key++) expect(cells[key]).toBeLessThan(1e-6);
	}
}

describe('patchModelForAttention on plain graphs', RUNTIME_TIMEOUT, () => {
	it.each<[string, AttentionStyle, boolean]>([
		['GPT-2', GPT2, true],
		['BERT', BERT, false],
		['LLaMA', LLAMA, true]
	])('%s: appends typed outputs that onnxruntime returns as attention', async (_, style, causal) => {
		const original = buildAttentionModel({ layers: 2, style });
		const patched = patchModelForAttention(original);

		expect(patched.outputs.map((o) => [o.layer, o.elemType])).toEqual([
			[0, 'float32'],
			[1, 'float32']
		]);
		// Only appended: the original file is an untouched prefix.
		expect(patched.bytes.subarray(0, original.length)).toEqual(original);
		const outputs = scanModel(patched.bytes).graph.outputs;
		for (const o of patched.outputs) expect(outputs).toContainEqual({ name: o.name, elemType: ElemType.FLOAT, dims: [] });

		const results = await runModel(patched.bytes);
		for (const o of patched.outputs) {
			expect(results[o.name].dims).toEqual([1, HEADS, SEQ, SEQ]);
			expectAttention(values(results[o.name]), causal);
		}
	});

	it('declares FLOAT16 for a float16 model, and onnxruntime agrees', async () => {
		const patched = patchModelForAttention(buildAttentionModel({ layers: 2, style: GPT2, floatType: ElemType.FLOAT16 }));
		expect(patched.outputs.map((o) => o.elemType)).toEqual(['float16', 'float16']);
		const results = await runModel(patched.bytes);
		for (const o of patched.outputs) {
			expect(results[o.name].type).toBe('float16');
			expectAttention(values(results[o.name]), true, 2e-3);
		}
	});

	it('does not add an output twice, so patching a patched model changes nothing', () => {
		const once = patchModelForAttention(buildAttentionModel({ layers: 2, style: BERT }));
		const twice = patchModelForAttention(once.bytes);
		expect(twice.outputs).toEqual(once.outputs);
		expect(twice.bytes).toEqual(once.bytes);
		const names = scanModel(twice.bytes).graph.outputs.map((o) => o.name);
		expect(names.filter((n) => n === once.outputs[0].name)).toHaveLength(1);
	});

	it('keeps an attention value that is already a graph output and adds the rest', async () => {
		const original = buildAttentionModel({ layers: 2, style: GPT2 });
		const [first] = patchModelForAttention(original).outputs;
		const withFirst = concatBytes([original, ...graphOutputsFragment([{ name: first.name, elemType: ElemType.FLOAT }])]);
		const patched = patchModelForAttention(withFirst);
		expect(patched.outputs).toHaveLength(2);
		const names = scanModel(patched.bytes).graph.outputs.map((o) => o.name);
		expect(names.filter((n) => n === first.name)).toHaveLength(1);
		await expect(runModel(patched.bytes)).resolves.toHaveProperty(patched.outputs[1].name);
	});
});

describe('patchModelForAttention on a merged decoder (attention inside If branches)', RUNTIME_TIMEOUT, () => {
	const original = buildMergedDecoder(2);
	const patched = patchModelForAttention(original);

	it('adds matching outputs to both branches and the If, and If outputs to the graph', () => {
		expect(patched.outputs).toEqual([
			{ name: `${ATTENTION_OUTPUT_PREFIX}0`, layer: 0, elemType: 'float32' },
			{ name: `${ATTENTION_OUTPUT_PREFIX}1`, layer: 1, elemType: 'float32' }
		]);
		const model = scanModel(patched.bytes);
		const ifNode = model.graph.nodes.find((n) => n.opType === 'If');
		expect(ifNode?.outputs).toEqual(['logits', ...patched.outputs.map((o) => o.name)]);
		for (const name of ['then_branch', 'else_branch']) {
			const branch = ifNode && attribute(ifNode, name)?.g;
			const softmaxOutputs = branch?.nodes.filter((n) => n.opType === 'Softmax').map((n) => n.outputs[0]);
			expect(branch?.outputs.slice(1).map((o) => o.name)).toEqual(softmaxOutputs);
		}
		expect(model.graph.outputs.map((o) => o.name)).toEqual(['logits', ...patched.outputs.map((o) => o.name)]);
	});

	it('re-encodes only headers: the bytes before the graph are identical and the size grows by a few hundred bytes', () => {
		const graphStart = scanModel(original).graphFields[0].tagStart;
		expect(patched.bytes.subarray(0, graphStart)).toEqual(original.subarray(0, graphStart));
		expect(patched.bytes.length - original.length).toBeLessThan(400);
	});

	it('runs in onnxruntime; with past length 0 both branches give the same attention', async () => {
		const withoutCache = await runModel(patched.bytes, standardFeeds(patched.bytes, { useCacheBranch: false }));
		const withCache = await runModel(patched.bytes, standardFeeds(patched.bytes, { useCacheBranch: true }));
		for (const o of patched.outputs) {
			expectAttention(values(withoutCache[o.name]), true);
			const a = values(withoutCache[o.name]);
			const b = values(withCache[o.name]);
			expect(Math.max(...a.map((x, i) => Math.abs(x - b[i])))).toBeLessThan(1e-6);
		}
	});
});

describe('patchFusedAttentionForQk', RUNTIME_TIMEOUT, () => {
	it('switches GroupQueryAttention to output its post-softmax probabilities, equal to the unfused model', async () => {
		const patched = patchFusedAttentionForQk(buildGroupQueryAttentionModel(2));
		expect(patched.softmaxApplied).toBe(true);
		expect(patched.outputs.map((o) => [o.layer, o.elemType])).toEqual([
			[0, 'float32'],
			[1, 'float32']
		]);
		const gqa = scanModel(patched.bytes).graph.nodes.filter((n) => n.opType === 'GroupQueryAttention');
		expect(gqa.map((n) => attribute(n, 'qk_output')?.i)).toEqual([2, 2]);
		expect(gqa.map((n) => n.outputs[3])).toEqual(patched.outputs.map((o) => o.name));

		const fused = await runModel(patched.bytes);
		const unfused = patchModelForAttention(buildAttentionModel({ layers: 2, style: UNFUSED_GQA }));
		const reference = await runModel(unfused.bytes);
		for (const [layer, o] of patched.outputs.entries()) {
			const a = values(fused[o.name]);
			const b = values(reference[unfused.outputs[layer].name]);
			expect(fused[o.name].dims).toEqual([1, HEADS, SEQ, SEQ]);
			expect(Math.max(...a.map((x, i) => Math.abs(x - b[i])))).toBeLessThan(1e-5);
		}
	});

	it('switches ONNX Attention (opset 23) to output softmax(QKᵀ/√d + causal mask)', async () => {
		const [heads, tokens, headDim] = [2, 4, 8];
		const dims = [1, heads, tokens, headDim];
		const bytes = encodeModel(
			{
				name: 'onnx-attention',
				nodes: [{ opType: 'Attention', inputs: ['q', 'k', 'v'], outputs: ['y'], attributes: { is_causal: 1 } }],
				inputs: ['q', 'k', 'v'].map((name) => ({ name, elemType: ElemType.FLOAT, dims })),
				outputs: [{ name: 'y', elemType: ElemType.FLOAT }]
			},
			{ irVersion: 10, opsets: [{ domain: '', version: 23 }] }
		);
		const patched = patchFusedAttentionForQk(bytes);
		expect(patched.outputs).toEqual([{ name: `${ATTENTION_OUTPUT_PREFIX}0`, layer: 0, elemType: 'float32' }]);

		const q = Float32Array.from({ length: heads * tokens * headDim }, (_, i) => Math.sin(i * 1.7));
		const k = Float32Array.from(q, (_, i) => Math.cos(i * 0.3));
		const tensor = (data: Float32Array) => new ort.Tensor('float32', data, dims);
		const results = await runModel(patched.bytes, { q: tensor(q), k: tensor(k), v: tensor(q) });
		const actual = values(results[patched.outputs[0].name]);
		for (let h = 0; h < heads; h++) {
			for (let i = 0; i < tokens; i++) {
				const row = (h * tokens + i) * headDim;
				const scores = Array.from({ length: i + 1 }, (_, j) => {
					let dot = 0;
					for (let d = 0; d < headDim; d++) dot += q[row + d] * k[(h * tokens + j) * headDim + d];
					return Math.exp(dot / Math.sqrt(headDim));
				});
				const sum = scores.reduce((a, b) => a + b, 0);
				for (let j = 0; j < tokens; j++) {
					const expected = j <= i ? scores[j] / sum : 0;
					expect(actual[(h * tokens + i) * tokens + j]).toBeCloseTo(expected, 5);
				}
			}
		}
	});

	it('refuses a model without a fused attention op', () => {
		expect(() => patchFusedAttentionForQk(buildAttentionModel({ layers: 1, style: GPT2 }))).toThrow(
			/no top-level fused attention op/
		);
	});
});

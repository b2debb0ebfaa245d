import { describe, expect, it } from 'vitest';
import { NOT_FROM_QK, NOT_INTO_V, findAttentionSoftmax } from './attention';
import { NoAttentionError } from './errors';
import { findFusedAttention } from './fused';
import { ElemType, attribute, scanModel } from './graph';
import { patchModelForAttention } from './patch';
import { encodeModel } from './testing/build-model';
import { thrownBy } from './testing/thrown';
import {
	BERT,
	GPT2,
	HEADS,
	LLAMA,
	buildAttentionGraph,
	buildAttentionModel,
	buildClassifier,
	buildFusedOpsModel,
	buildGroupQueryAttentionModel,
	buildMergedDecoder,
	buildWithoutSoftmax,
	type AttentionStyle
} from './testing/models';

const bertGraph = (layers: number) => buildAttentionGraph({ layers, style: BERT });

function search(bytes: Uint8Array) {
	return findAttentionSoftmax(scanModel(bytes).graph);
}

function noAttention(bytes: Uint8Array): NoAttentionError {
	const error = thrownBy(() => patchModelForAttention(bytes));
	expect(error).toBeInstanceOf(NoAttentionError);
	return error as NoAttentionError;
}

describe('findAttentionSoftmax', () => {
	it.each<[string, AttentionStyle]>([
		['GPT-2 (Where causal mask, Dropout)', GPT2],
		['BERT (additive mask from attention_mask)', BERT],
		['LLaMA (RoPE, SDPA scaling, grouped-query K/V expansion)', LLAMA]
	])('finds one Softmax per layer, in graph order: %s', (_, style) => {
		const found = search(buildAttentionModel({ layers: 3, style }));
		expect(found.softmax).toHaveLength(3);
		expect(found.rejected).toEqual([]);
		const indices = found.softmax.map((s) => s.node.index);
		expect(indices).toEqual([...indices].sort((a, b) => a - b));
		expect(found.softmax.every((s) => s.elemType === ElemType.FLOAT)).toBe(true);
	});

	it("ignores a classifier's Softmax next to the attention ones", () => {
		const found = search(buildAttentionModel({ layers: 2, style: BERT, classifierSoftmax: true }));
		expect(found.softmax).toHaveLength(2);
		expect(found.softmax.map((s) => s.node.outputs[0])).not.toContain('probabilities');
		expect(found.rejected).toEqual([NOT_FROM_QK]);
	});

	it('rejects a Softmax whose output multiplies a weight instead of V', () => {
		const bytes = encodeModel({
			name: 'not-v',
			nodes: [
				{ opType: 'Transpose', inputs: ['x'], outputs: ['xT'], attributes: { perm: [0, 2, 1] } },
				{ opType: 'MatMul', inputs: ['x', 'xT'], outputs: ['scores'] },
				{ opType: 'Softmax', inputs: ['scores'], outputs: ['probs'], attributes: { axis: -1 } },
				{ opType: 'MatMul', inputs: ['probs', 'w'], outputs: ['y'] }
			],
			inputs: [{ name: 'x', elemType: ElemType.FLOAT, dims: [1, 4, 4] }],
			outputs: [{ name: 'y', elemType: ElemType.FLOAT }],
			initializers: [{ name: 'w', elemType: ElemType.FLOAT, dims: [4, 4], data: new Uint8Array(64) }]
		});
		expect(search(bytes)).toEqual({ softmax: [], rejected: [NOT_INTO_V] });
	});

	describe('element type of the probabilities', () => {
		const typeOf = (style: AttentionStyle, floatType: number) =>
			search(buildAttentionModel({ layers: 2, style, floatType })).softmax.map((s) => s.elemType);

		it('is FLOAT16 in a float16 model, traced from the weights when nothing is declared', () => {
			expect(typeOf(GPT2, ElemType.FLOAT16)).toEqual([ElemType.FLOAT16, ElemType.FLOAT16]);
		});

		it('is FLOAT16 when value_info declares it', () => {
			expect(typeOf({ ...GPT2, declareSoftmax: true }, ElemType.FLOAT16)).toEqual([ElemType.FLOAT16, ElemType.FLOAT16]);
		});

		it('is FLOAT when a float16 model casts up for the softmax', () => {
			expect(typeOf({ ...LLAMA, softmaxInFloat32: true }, ElemType.FLOAT16)).toEqual([ElemType.FLOAT, ElemType.FLOAT]);
		});
	});

	it('finds the Softmax nodes inside both branches of a merged decoder, not at the top level', () => {
		const model = scanModel(buildMergedDecoder(3));
		expect(findAttentionSoftmax(model.graph).softmax).toEqual([]);
		const ifNode = model.graph.nodes.find((n) => n.opType === 'If');
		for (const branch of ['then_branch', 'else_branch']) {
			const graph = ifNode && attribute(ifNode, branch)?.g;
			expect(graph && findAttentionSoftmax(graph).softmax).toHaveLength(3);
		}
	});
});

describe('models without usable attention', () => {
	it('rejects a classifier-only model, saying why its Softmax is not attention', () => {
		const error = noAttention(buildClassifier());
		expect(error.foundOps).toEqual([NOT_FROM_QK]);
		expect(error.message).toContain(NOT_FROM_QK);
	});

	it('rejects a model without Softmax, naming the ops it has', () => {
		const error = noAttention(buildWithoutSoftmax());
		expect(error.foundOps).toEqual([]);
		expect(error.message).toMatch(/no Softmax/);
		expect(error.message).toContain('Gather, MatMul, Relu');
	});

	it('names fused GroupQueryAttention', () => {
		const error = noAttention(buildGroupQueryAttentionModel(2));
		expect(error.foundOps).toEqual(['com.microsoft::GroupQueryAttention']);
		expect(error.message).toContain('com.microsoft::GroupQueryAttention ×2');
	});

	it('explains attention inside a Loop body, which cannot be fetched', () => {
		const bytes = encodeModel({
			name: 'loop',
			nodes: [{ opType: 'Loop', inputs: ['', ''], outputs: ['y'], attributes: { body: { graph: bertGraph(1) } } }],
			inputs: [],
			outputs: [{ name: 'y', elemType: ElemType.FLOAT }]
		});
		expect(noAttention(bytes).foundOps).toEqual([
			'Loop.body: Softmax (attention, but values inside this subgraph cannot be fetched)'
		]);
	});

	it('explains If branches whose attention cannot be paired layer by layer', () => {
		const bytes = encodeModel({
			name: 'unpaired',
			nodes: [
				{
					opType: 'If',
					inputs: ['condition'],
					outputs: ['logits'],
					attributes: { then_branch: { graph: bertGraph(2) }, else_branch: { graph: bertGraph(1) } }
				}
			],
			inputs: [{ name: 'condition', elemType: ElemType.BOOL, dims: [1] }],
			outputs: [{ name: 'logits', elemType: ElemType.FLOAT }]
		});
		expect(noAttention(bytes).foundOps).toEqual([
			'Softmax inside If branches (cannot pair them: 1 attention Softmax nodes in one branch, 2 in the other)'
		]);
	});

	it('names MultiHeadAttention and ONNX Attention', () => {
		expect(noAttention(buildFusedOpsModel()).foundOps).toEqual(['com.microsoft::MultiHeadAttention', 'Attention']);
	});
});

describe('findFusedAttention', () => {
	it('describes each fused op with its heads, rotary and scale attributes', () => {
		const fused = findFusedAttention(scanModel(buildGroupQueryAttentionModel(2)).graph);
		expect(fused).toHaveLength(2);
		expect(fused[0]).toMatchObject({
			op: 'com.microsoft::GroupQueryAttention',
			numHeads: HEADS,
			kvNumHeads: 1,
			subgraphPath: [],
			attributes: { num_heads: HEADS, kv_num_heads: 1 }
		});
		expect(fused[0].inputs).toHaveLength(7);
		expect(fused[0].index).toBeLessThan(fused[1].index);
	});

	it('reads ONNX Attention heads and scale', () => {
		const [, , attention] = findFusedAttention(scanModel(buildFusedOpsModel()).graph);
		expect(attention).toMatchObject({ op: 'Attention', numHeads: HEADS, kvNumHeads: HEADS, scale: 0.5 });
	});
});

/**
 * Some fused attention ops can emit their attention through an optional fourth output:
 * - com.microsoft GroupQueryAttention with `qk_output` = 2: the probabilities (onnxruntime ≥ 1.23; the
 *   CPU/WASM kernel only — WebGPU does not implement it);
 * - ONNX Attention (opset 23) with `qk_matmul_output_mode` = 3: the probabilities;
 * - com.microsoft MultiHeadAttention: the scores the op feeds its softmax (QKᵀ·scale + bias + mask, as
 *   onnxruntime-web's WASM kernel computes them; checked against PyTorch on an encoder, not on a causal decoder).
 * This patch switches that output on and makes it a graph output.
 */
import { encodeIntAttribute } from './encode';
import { dominantFloatType, inferElemType } from './elem-type';
import { NoAttentionError } from './errors';
import { findFusedAttention, opLabel } from './fused';
import { scanModel, type OnnxNode } from './graph';
import { ATTENTION_OUTPUT_PREFIX, toAttentionOutputs, type PatchedModel } from './outputs';
import { rewriteModel, rewriteNode, uniqueNames } from './rewrite';
import { GraphScope } from './scope';

interface ExtraOutput {
	/** The attribute that switches the output on, when the op has one. */
	attribute?: { name: string; value: number };
	slot: number;
	softmaxApplied: boolean;
}

const EXTRA_OUTPUT: Record<string, ExtraOutput> = {
	'com.microsoft::GroupQueryAttention': { attribute: { name: 'qk_output', value: 2 }, slot: 3, softmaxApplied: true },
	Attention: { attribute: { name: 'qk_matmul_output_mode', value: 3 }, slot: 3, softmaxApplied: true },
	'com.microsoft::MultiHeadAttention': { slot: 3, softmaxApplied: false }
};

export interface FusedAttentionPatch extends PatchedModel {
	/**
	 * true: the outputs are the probabilities [batch, heads, q, k]. false: they are the scores the op feeds its
	 * softmax (same shape; masked keys hold about -10000): apply a softmax over the last axis to get them.
	 */
	softmaxApplied: boolean;
}

/**
 * Makes every top-level GroupQueryAttention, ONNX Attention or MultiHeadAttention node output its attention.
 * Run the result on the WASM backend. Throws NoAttentionError when the model has no such node.
 */
export function patchFusedAttentionForQk(bytes: Uint8Array): FusedAttentionPatch {
	const model = scanModel(bytes);
	const nodes = model.graph.nodes.filter((node) => EXTRA_OUTPUT[opLabel(node)]);
	const kinds = new Set(nodes.map((node) => EXTRA_OUTPUT[opLabel(node)].softmaxApplied));
	if (nodes.length === 0 || kinds.size > 1) {
		const foundOps = [...new Set(findFusedAttention(model.graph).map((f) => f.op))];
		const problem =
			nodes.length === 0
				? 'no top-level fused attention op that can emit its attention'
				: 'a mix of fused ops that emit probabilities and ops that emit scores';
		const found = foundOps.length ? ` (found: ${foundOps.join(', ')})` : '';
		throw new NoAttentionError(`No usable attention: ${problem}${found}.`, foundOps);
	}
	const scope = new GraphScope(model.graph);
	const fresh = uniqueNames(model, ATTENTION_OUTPUT_PREFIX, nodes.length);
	const extra = (node: OnnxNode) => EXTRA_OUTPUT[opLabel(node)];
	const values = nodes.map((node, layer) => ({
		name: node.outputs[extra(node).slot] || fresh[layer],
		// Scores and probabilities have the query's element type.
		elemType: inferElemType(scope, node.inputs[0]) || dominantFloatType(model.graph)
	}));
	const rewrites = nodes.map((node, layer) => {
		const { attribute, slot } = extra(node);
		const outputs = Array.from({ length: Math.max(node.outputs.length, slot + 1) }, (_, i) => node.outputs[i] ?? '');
		outputs[slot] = values[layer].name;
		const attributes = attribute
			? [{ name: attribute.name, payload: [encodeIntAttribute(attribute.name, attribute.value)] }]
			: [];
		return { node, payload: rewriteNode(bytes, node, { outputs, attributes }) };
	});
	return {
		bytes: rewriteModel(bytes, model, rewrites, values),
		outputs: toAttentionOutputs(values),
		softmaxApplied: [...kinds][0]
	};
}

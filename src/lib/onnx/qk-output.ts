/**
 * Some fused attention ops can emit their probabilities through an optional extra output: com.microsoft
 * GroupQueryAttention with `qk_output` = 2 (onnxruntime ≥ 1.23, CPU/WASM kernels only) and ONNX Attention
 * (opset 23) with `qk_matmul_output_mode` = 3. This patch switches that output on and makes it a graph output.
 */
import { encodeIntAttribute } from './encode';
import { dominantFloatType, inferElemType } from './elem-type';
import { NoAttentionError } from './errors';
import { findFusedAttention, opLabel } from './fused';
import { scanModel } from './graph';
import { ATTENTION_OUTPUT_PREFIX, toAttentionOutputs, type PatchedModel } from './outputs';
import { rewriteModel, rewriteNode, uniqueNames } from './rewrite';
import { GraphScope } from './scope';

/** Per op: the attribute that selects the post-softmax output, its value, and the output slot. */
const POST_SOFTMAX_OUTPUT: Record<string, { attribute: string; value: number; slot: number }> = {
	'com.microsoft::GroupQueryAttention': { attribute: 'qk_output', value: 2, slot: 3 },
	Attention: { attribute: 'qk_matmul_output_mode', value: 3, slot: 3 }
};

/**
 * Makes every top-level GroupQueryAttention / ONNX Attention node output its attention probabilities
 * [batch, heads, q, total k]. Throws NoAttentionError when the model has no such node.
 */
export function patchFusedAttentionForQk(bytes: Uint8Array): PatchedModel {
	const model = scanModel(bytes);
	const nodes = model.graph.nodes.filter((node) => POST_SOFTMAX_OUTPUT[opLabel(node)]);
	if (nodes.length === 0) {
		const foundOps = [...new Set(findFusedAttention(model.graph).map((f) => f.op))];
		const message = `No top-level GroupQueryAttention or ONNX Attention node can emit attention probabilities${
			foundOps.length ? ` (found: ${foundOps.join(', ')})` : ''
		}.`;
		throw new NoAttentionError(message, foundOps);
	}
	const scope = new GraphScope(model.graph);
	const fresh = uniqueNames(model, ATTENTION_OUTPUT_PREFIX, nodes.length);
	const values = nodes.map((node, layer) => {
		const slot = POST_SOFTMAX_OUTPUT[opLabel(node)].slot;
		// The probabilities have the query's element type.
		const elemType = inferElemType(scope, node.inputs[0]) || dominantFloatType(model.graph);
		return { name: node.outputs[slot] || fresh[layer], elemType };
	});
	const rewrites = nodes.map((node, layer) => {
		const { attribute, value, slot } = POST_SOFTMAX_OUTPUT[opLabel(node)];
		const outputs = Array.from({ length: Math.max(node.outputs.length, slot + 1) }, (_, i) => node.outputs[i] ?? '');
		outputs[slot] = values[layer].name;
		const payload = rewriteNode(bytes, node, {
			outputs,
			attributes: [{ name: attribute, payload: [encodeIntAttribute(attribute, value)] }]
		});
		return { node, payload };
	});
	return { bytes: rewriteModel(bytes, model, rewrites, values), outputs: toAttentionOutputs(values) };
}

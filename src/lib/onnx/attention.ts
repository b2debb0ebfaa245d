/**
 * Finds attention probabilities by structure, not by names: a Softmax whose input descends from a MatMul of two
 * activations (Q·Kᵀ) through scaling and masking, and whose output multiplies an activation (·V).
 * A classifier's Softmax fails the first test: its logits come from a MatMul with a weight.
 */
import { inferElemType, dominantFloatType } from './elem-type';
import type { OnnxGraph, OnnxNode } from './graph';
import { GraphScope } from './scope';

/** Ops that multiply two tensors. The backward walk stops at the first one on each path: it either is Q·Kᵀ or not. */
const MATMUL_OPS = new Set([
	'MatMul',
	'Gemm',
	'Einsum',
	'FusedMatMul',
	'MatMulInteger',
	'MatMulNBits',
	'QLinearMatMul',
	'MatMulIntegerToFloat',
	'DynamicQuantizeMatMul'
]);
/** Ops allowed between the Softmax and the ·V MatMul. */
const PASS_FORWARD = new Set(['Cast', 'Dropout', 'Identity', 'Reshape', 'Where', 'Mul']);
/** Scale, mask, softcap and casts sit between Q·Kᵀ and the Softmax: a handful of nodes in every exporter seen. */
const MAX_STEPS_BACK = 12;
const MAX_STEPS_FORWARD = 4;

export const NOT_FROM_QK = 'Softmax (not attention: its input does not come from a MatMul of two activations)';
export const NOT_INTO_V = 'Softmax (not attention: its output does not feed a MatMul with another activation)';

export interface AttentionSoftmax {
	node: OnnxNode;
	/** TensorProto.DataType the Softmax produces. */
	elemType: number;
}

export interface AttentionSearch {
	/** Attention Softmax nodes in graph order: index = layer. */
	softmax: AttentionSoftmax[];
	/** For every other Softmax, why it is not attention (one entry per node). */
	rejected: string[];
}

/** Looks at the Softmax nodes of one graph (not its subgraphs). Pass the enclosing scope for If/Loop bodies. */
export function findAttentionSoftmax(graph: OnnxGraph, enclosing?: GraphScope): AttentionSearch {
	const scope = new GraphScope(graph, enclosing);
	const result: AttentionSearch = { softmax: [], rejected: [] };
	const isActivation = (value: string) => value !== '' && !scope.isConstant(value);
	for (const node of graph.nodes) {
		if (node.opType !== 'Softmax' || node.domain !== '') continue;
		if (!descendsFromQK(scope, node.inputs[0], isActivation)) result.rejected.push(NOT_FROM_QK);
		else if (!feedsValueMatMul(scope, node.outputs[0], isActivation)) result.rejected.push(NOT_INTO_V);
		else result.softmax.push({ node, elemType: softmaxElemType(scope, node) });
	}
	return result;
}

function isMatMulOfActivations(node: OnnxNode, isActivation: (value: string) => boolean): boolean {
	const operands = node.inputs.slice(0, 2);
	return operands.length === 2 && operands.every(isActivation);
}

/** Breadth-first up the activation inputs, through anything but another MatMul or Softmax. */
function descendsFromQK(scope: GraphScope, start: string, isActivation: (value: string) => boolean): boolean {
	const seen = new Set<string>();
	let frontier = [start];
	for (let step = 0; step <= MAX_STEPS_BACK && frontier.length > 0; step++) {
		const next: string[] = [];
		for (const value of frontier) {
			if (seen.has(value) || !isActivation(value)) continue;
			seen.add(value);
			const producer = scope.producerOf(value);
			if (!producer || producer.opType === 'Softmax') continue;
			if (MATMUL_OPS.has(producer.opType)) {
				if (isMatMulOfActivations(producer, isActivation)) return true;
				continue;
			}
			next.push(...producer.inputs);
		}
		frontier = next;
	}
	return false;
}

/** Down the consumers, through casts and dropout, to a MatMul whose other operand is an activation (V). */
function feedsValueMatMul(scope: GraphScope, start: string, isActivation: (value: string) => boolean): boolean {
	let frontier = [start];
	for (let step = 0; step <= MAX_STEPS_FORWARD && frontier.length > 0; step++) {
		const next: string[] = [];
		for (const value of frontier) {
			for (const consumer of scope.consumersOf(value)) {
				if (MATMUL_OPS.has(consumer.opType)) {
					const others = consumer.inputs.slice(0, 2).filter((input) => input !== value);
					if (others.length > 0 && others.every(isActivation)) return true;
				} else if (PASS_FORWARD.has(consumer.opType)) {
					// Only the data output carries the probabilities on (Dropout's second output is its mask).
					if (consumer.outputs[0]) next.push(consumer.outputs[0]);
				}
			}
		}
		frontier = next;
	}
	return false;
}

function softmaxElemType(scope: GraphScope, node: OnnxNode): number {
	return inferElemType(scope, node.outputs[0]) || dominantFloatType(scope.root.graph);
}

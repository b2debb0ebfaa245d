/**
 * Fused attention ops compute the softmax inside one kernel, so there is no Softmax to fetch. This module finds
 * them (so errors can name them and the engine can choose another route) and describes what each one needs.
 */
import type { OnnxGraph, OnnxNode } from './graph';

/** domain → op types that hide attention probabilities inside one node. */
const FUSED_ATTENTION_OPS: Record<string, string[]> = {
	'': ['Attention'],
	'com.microsoft': [
		'Attention',
		'MultiHeadAttention',
		'GroupQueryAttention',
		'PackedAttention',
		'PackedMultiHeadAttention',
		'DecoderMaskedMultiHeadAttention',
		'DecoderMaskedSelfAttention',
		'SparseAttention',
		'PagedAttention',
		'QAttention'
	]
};

export interface FusedAttention {
	/** "com.microsoft::GroupQueryAttention", or the bare op type in the default domain ("Attention"). */
	op: string;
	domain: string;
	opType: string;
	/** Index in the graph that holds it. */
	index: number;
	/** Names of If/Loop attributes leading to it: empty for the top-level graph. */
	subgraphPath: string[];
	inputs: string[];
	outputs: string[];
	/** num_heads, or q_num_heads for ONNX Attention. */
	numHeads?: number;
	kvNumHeads?: number;
	doRotary?: boolean;
	scale?: number;
	/** Every int, float and string attribute as written. */
	attributes: Record<string, number | string | number[]>;
}

export function opLabel(node: Pick<OnnxNode, 'domain' | 'opType'>): string {
	return node.domain ? `${node.domain}::${node.opType}` : node.opType;
}

export function isFusedAttention(node: OnnxNode): boolean {
	return FUSED_ATTENTION_OPS[node.domain]?.includes(node.opType) ?? false;
}

/** Every fused attention node, subgraphs included, in graph order. */
export function findFusedAttention(graph: OnnxGraph, subgraphPath: string[] = []): FusedAttention[] {
	const found: FusedAttention[] = [];
	for (const node of graph.nodes) {
		if (isFusedAttention(node)) found.push(describe(node, subgraphPath));
		for (const attr of node.attributes) {
			if (attr.g) found.push(...findFusedAttention(attr.g, [...subgraphPath, `${opLabel(node)}#${node.index}.${attr.name}`]));
		}
	}
	return found;
}

function describe(node: OnnxNode, subgraphPath: string[]): FusedAttention {
	const attributes: FusedAttention['attributes'] = {};
	for (const attr of node.attributes) {
		const value = attr.i ?? attr.f ?? attr.s ?? attr.ints;
		if (value !== undefined) attributes[attr.name] = value;
	}
	const numeric = (name: string) => {
		const value = attributes[name];
		return typeof value === 'number' ? value : undefined;
	};
	const rotary = numeric('do_rotary');
	return {
		op: opLabel(node),
		domain: node.domain,
		opType: node.opType,
		index: node.index,
		subgraphPath,
		inputs: node.inputs,
		outputs: node.outputs,
		numHeads: numeric('num_heads') ?? numeric('q_num_heads'),
		kvNumHeads: numeric('kv_num_heads'),
		doRotary: rotary === undefined ? undefined : rotary !== 0,
		scale: numeric('scale'),
		attributes
	};
}

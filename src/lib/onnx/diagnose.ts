/** Explains why a model yields no attention: which attention-like ops it has and why none of them can be used. */
import { findAttentionSoftmax } from './attention';
import { NoAttentionError } from './errors';
import { isFusedAttention, opLabel } from './fused';
import type { OnnxGraph, OnnxModel } from './graph';
import { GraphScope } from './scope';

export function noAttentionError(model: OnnxModel): NoAttentionError {
	const seen: string[] = [];
	let sawFusedAttention = false;
	const functions = new Set(model.functions);
	const visit = (graph: OnnxGraph, enclosing: GraphScope | undefined, where: string) => {
		const search = findAttentionSoftmax(graph, enclosing);
		seen.push(...search.rejected.map((reason) => where + reason));
		if (where && search.softmax.length > 0) {
			seen.push(`${where}Softmax (attention, but values inside this subgraph cannot be fetched)`);
		}
		const scope = new GraphScope(graph, enclosing);
		for (const node of graph.nodes) {
			const label = opLabel(node);
			if (isFusedAttention(node)) {
				seen.push(where + label);
				sawFusedAttention = true;
			}
			if (functions.has(`${node.domain}::${node.opType}`)) seen.push(`${where}${label} (model-local function: not scanned)`);
			for (const attr of node.attributes) if (attr.g) visit(attr.g, scope, `${where}${label}.${attr.name}: `);
		}
	};
	visit(model.graph, undefined, '');

	const foundOps = [...new Set(seen)];
	if (foundOps.length === 0) {
		const ops = [...new Set(allOps(model.graph))].join(', ') || 'none';
		return new NoAttentionError(
			'No attention in this model: it has no Softmax and no fused attention op ' +
				`(Attention, MultiHeadAttention, GroupQueryAttention). Its ops: ${ops}.`,
			[]
		);
	}
	const counted = foundOps.map((op) => {
		const count = seen.filter((s) => s === op).length;
		return count > 1 ? `${op} ×${count}` : op;
	});
	const fusedHint = sawFusedAttention
		? ' Fused attention ops keep the probabilities inside the op; they cannot be fetched as graph outputs.'
		: '';
	return new NoAttentionError(
		`No usable attention probabilities in this model. Attention-like ops found: ${counted.join('; ')}.${fusedHint}`,
		foundOps
	);
}

function allOps(graph: OnnxGraph): string[] {
	return graph.nodes.flatMap((node) => [
		opLabel(node),
		...node.attributes.flatMap((attr) => (attr.g ? allOps(attr.g) : []))
	]);
}

/**
 * The wiring of one graph: who produces and who consumes each value, which values are constant, which have a
 * declared type. A subgraph's scope falls back to its parent's, because If/Loop bodies read outer values
 * (merged decoders keep all weights in the outer graph).
 */
import type { OnnxGraph, OnnxNode } from './graph';

export class GraphScope {
	private readonly producers = new Map<string, OnnxNode>();
	private readonly consumers = new Map<string, OnnxNode[]>();
	private readonly constants = new Set<string>();
	private readonly declaredTypes = new Map<string, number>();

	constructor(
		readonly graph: OnnxGraph,
		readonly parent?: GraphScope
	) {
		for (const [name, elemType] of graph.initializers) {
			this.constants.add(name);
			this.declaredTypes.set(name, elemType);
		}
		for (const info of [...graph.inputs, ...graph.outputs, ...graph.valueInfo]) {
			if (info.elemType) this.declaredTypes.set(info.name, info.elemType);
		}
		for (const node of graph.nodes) {
			for (const output of node.outputs) if (output) this.producers.set(output, node);
			for (const input of node.inputs) {
				if (!input) continue;
				const list = this.consumers.get(input);
				if (list) list.push(node);
				else this.consumers.set(input, [node]);
			}
			if (this.computesConstant(node)) for (const output of node.outputs) this.constants.add(output);
		}
	}

	/**
	 * Constant folding by reachability: a node fed only by constants yields constants (Cast/Transpose/
	 * DequantizeLinear of a weight is still a weight). Graph order is topological, so one pass suffices.
	 */
	private computesConstant(node: OnnxNode): boolean {
		if (node.attributes.some((a) => a.g)) return false;
		const inputs = node.inputs.filter(Boolean);
		if (inputs.length === 0) return node.opType === 'Constant' && node.domain === '';
		return inputs.every((input) => this.isConstant(input));
	}

	producerOf(name: string): OnnxNode | undefined {
		return this.producers.get(name) ?? this.parent?.producerOf(name);
	}

	/** Consumers in this graph only: attention's A·V MatMul sits next to its Softmax. */
	consumersOf(name: string): OnnxNode[] {
		return this.consumers.get(name) ?? [];
	}

	isConstant(name: string): boolean {
		return this.constants.has(name) || (this.parent?.isConstant(name) ?? false);
	}

	declaredType(name: string): number | undefined {
		return this.declaredTypes.get(name) ?? this.parent?.declaredType(name);
	}

	/** The outermost scope's graph: the one whose inputs are fed at run time. */
	get root(): GraphScope {
		return this.parent?.root ?? this;
	}
}

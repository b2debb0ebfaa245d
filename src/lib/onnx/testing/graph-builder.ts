/** Test-only: assembles GraphSpecs node by node with generated value names and seeded random weights. */
import { ElemType } from '../graph';
import {
	boolData,
	dataFor,
	int64Data,
	type AttributeValue,
	type GraphSpec,
	type NodeSpec,
	type TensorSpec,
	type ValueSpec
} from './build-model';

/** mulberry32: small, seeded, good enough for weights. */
function seededRandom(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

interface SharedState {
	initializers: TensorSpec[];
	counter: number;
	random: () => number;
}

export class GraphBuilder {
	readonly nodes: NodeSpec[] = [];
	readonly inputs: ValueSpec[] = [];
	readonly outputs: ValueSpec[] = [];
	readonly valueInfo: ValueSpec[] = [];

	/** Subgraphs share their parent's initializers and name counter, as If branches of merged decoders do. */
	private constructor(
		readonly floatType: number,
		private readonly shared: SharedState
	) {}

	static create(floatType: number = ElemType.FLOAT, seed = 1): GraphBuilder {
		return new GraphBuilder(floatType, { initializers: [], counter: 0, random: seededRandom(seed) });
	}

	subgraph(): GraphBuilder {
		return new GraphBuilder(this.floatType, this.shared);
	}

	fresh(prefix: string): string {
		return `${prefix}_${this.shared.counter++}`;
	}

	/** Adds a node and returns its outputs' names (generated unless given). */
	ops(
		opType: string,
		inputs: string[],
		options: { attributes?: Record<string, AttributeValue>; outputs?: number | string[]; domain?: string } = {}
	): string[] {
		const outputs =
			typeof options.outputs === 'object'
				? options.outputs
				: Array.from({ length: options.outputs ?? 1 }, () => this.fresh(opType.toLowerCase()));
		this.nodes.push({ opType, inputs, outputs, attributes: options.attributes, domain: options.domain });
		return outputs;
	}

	op(opType: string, inputs: string[], attributes?: Record<string, AttributeValue>): string {
		return this.ops(opType, inputs, { attributes })[0];
	}

	private initializer(elemType: number, dims: number[], data: Uint8Array, prefix: string): string {
		const name = this.fresh(prefix);
		this.shared.initializers.push({ name, elemType, dims, data });
		return name;
	}

	/** A random weight in the builder's float type, scaled so activations stay O(1). */
	weight(dims: number[]): string {
		const count = dims.reduce((a, b) => a * b, 1);
		const scale = 1 / Math.sqrt(dims[0]);
		const values = Array.from({ length: count }, () => (this.shared.random() * 2 - 1) * scale);
		return this.initializer(this.floatType, dims, dataFor(this.floatType, values), 'weight');
	}

	floats(values: number[], dims: number[] = [values.length]): string {
		return this.initializer(this.floatType, dims, dataFor(this.floatType, values), 'const');
	}

	int64s(values: number[], dims: number[] = [values.length]): string {
		return this.initializer(ElemType.INT64, dims, int64Data(values), 'shape');
	}

	bools(values: boolean[], dims: number[]): string {
		return this.initializer(ElemType.BOOL, dims, boolData(values), 'mask');
	}

	input(name: string, elemType: number, dims: (number | string)[]): string {
		this.inputs.push({ name, elemType, dims });
		return name;
	}

	output(name: string, elemType: number = this.floatType, dims?: (number | string)[]): void {
		this.outputs.push({ name, elemType, dims });
	}

	/** Declares the type of an intermediate value, as exporters do in value_info. */
	declare(name: string, elemType: number): void {
		this.valueInfo.push({ name, elemType });
	}

	build(name: string): GraphSpec {
		return {
			name,
			nodes: this.nodes,
			inputs: this.inputs,
			outputs: this.outputs,
			valueInfo: this.valueInfo,
			initializers: this.shared.initializers
		};
	}

	/** A branch graph: same as build, but the weights stay in the outer graph. */
	buildBranch(name: string): GraphSpec {
		return { ...this.build(name), initializers: [] };
	}
}

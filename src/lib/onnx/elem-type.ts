/**
 * The element type of a value when the file does not declare it: follow the input that determines the output
 * type (Cast's `to`, Where's branches, most ops' first input) back to something declared — a value_info entry,
 * a graph input, an initializer.
 */
import { ElemType, attribute, type OnnxGraph, type OnnxNode } from './graph';
import type { GraphScope } from './scope';

const BOOL_OPS = new Set([
	...['Equal', 'Less', 'LessOrEqual', 'Greater', 'GreaterOrEqual'],
	...['Not', 'And', 'Or', 'Xor', 'IsNaN', 'IsInf']
]);
const INT64_OPS = new Set(['Shape', 'Size', 'ArgMax', 'ArgMin', 'NonZero']);
const INT32_OPS = new Set(['MatMulInteger', 'ConvInteger']);

/** Which input carries the output's type, or the type itself when the op fixes it. */
function typeSource(node: OnnxNode): { input: number } | { elemType: number } | undefined {
	if (node.domain !== '' && node.domain !== 'com.microsoft') return undefined;
	switch (node.opType) {
		case 'Cast':
			return { elemType: attribute(node, 'to')?.i ?? 0 };
		case 'Constant':
			return { elemType: constantElemType(node) };
		case 'ConstantOfShape':
			return { elemType: attribute(node, 'value')?.tensorElemType ?? ElemType.FLOAT };
		case 'CastLike':
		case 'Where':
		case 'DequantizeLinear':
			return { input: 1 };
	}
	if (BOOL_OPS.has(node.opType)) return { elemType: ElemType.BOOL };
	if (INT64_OPS.has(node.opType)) return { elemType: ElemType.INT64 };
	if (INT32_OPS.has(node.opType)) return { elemType: ElemType.INT32 };
	return { input: 0 };
}

function constantElemType(node: OnnxNode): number {
	const value = node.attributes[0];
	if (!value) return 0;
	if (value.tensorElemType !== undefined) return value.tensorElemType;
	if (value.name === 'value_float' || value.name === 'value_floats') return ElemType.FLOAT;
	if (value.name === 'value_int' || value.name === 'value_ints') return ElemType.INT64;
	return 0;
}

/** The value's TensorProto.DataType, or 0 when nothing along its chain says. */
export function inferElemType(scope: GraphScope, value: string): number {
	// Iterative: the chain can run back through every layer to the embedding.
	for (let name = value, steps = 0; steps < 100_000; steps++) {
		const declared = scope.declaredType(name);
		if (declared) return declared;
		const producer = scope.producerOf(name);
		const source = producer && typeSource(producer);
		if (!source) return 0;
		if ('elemType' in source) return source.elemType;
		const next = producer.inputs[source.input];
		if (!next) return 0;
		name = next;
	}
	return 0;
}

/** The float type most weights use: the last resort when a chain says nothing. */
export function dominantFloatType(graph: OnnxGraph): number {
	let float32 = 0;
	let float16 = 0;
	for (const elemType of graph.initializers.values()) {
		if (elemType === ElemType.FLOAT) float32++;
		else if (elemType === ElemType.FLOAT16) float16++;
	}
	return float16 > float32 ? ElemType.FLOAT16 : ElemType.FLOAT;
}

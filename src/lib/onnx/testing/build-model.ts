/**
 * Test-only ONNX writer: builds small but real (runnable) models so the scanner and patches can be checked
 * against onnxruntime itself.
 */
import { AttributeType, encodeValueInfo } from '../encode';
import { concatBytes, float32Field, messageField, stringField, varintField } from '../protobuf';
import { ElemType } from '../graph';

export interface TensorSpec {
	name: string;
	elemType: number;
	dims: number[];
	/** raw_data, little-endian. */
	data: Uint8Array;
}

export type AttributeValue =
	| number
	| { float: number }
	| string
	| number[]
	| { graph: GraphSpec }
	| { tensor: Omit<TensorSpec, 'name'> };

export interface NodeSpec {
	opType: string;
	inputs: string[];
	outputs: string[];
	domain?: string;
	name?: string;
	attributes?: Record<string, AttributeValue>;
}

export interface ValueSpec {
	name: string;
	elemType: number;
	dims?: (number | string)[];
}

export interface GraphSpec {
	name: string;
	nodes: NodeSpec[];
	inputs: ValueSpec[];
	outputs: ValueSpec[];
	valueInfo?: ValueSpec[];
	initializers?: TensorSpec[];
}

export interface ModelOptions {
	irVersion?: number;
	opsets?: { domain: string; version: number }[];
}

export const DEFAULT_OPSETS = [
	{ domain: '', version: 17 },
	{ domain: 'com.microsoft', version: 1 }
];

export function encodeModel(graph: GraphSpec, options: ModelOptions = {}): Uint8Array {
	const opsets = (options.opsets ?? DEFAULT_OPSETS).map((o) =>
		concatBytes(messageField(8, [stringField(1, o.domain), varintField(2, o.version)]))
	);
	return concatBytes([
		varintField(1, options.irVersion ?? 8),
		stringField(2, 'attnscope-tests'),
		...messageField(7, encodeGraph(graph)),
		...opsets
	]);
}

export function encodeGraph(graph: GraphSpec): Uint8Array[] {
	const valueInfos = (field: number, values: ValueSpec[] = []) =>
		values.flatMap((v) => messageField(field, [encodeValueInfo(v.name, v.elemType, v.dims)]));
	return [
		...graph.nodes.flatMap((node) => messageField(1, encodeNode(node))),
		stringField(2, graph.name),
		...(graph.initializers ?? []).flatMap((t) => messageField(5, encodeTensor(t))),
		...valueInfos(11, graph.inputs),
		...valueInfos(12, graph.outputs),
		...valueInfos(13, graph.valueInfo)
	];
}

function encodeNode(node: NodeSpec): Uint8Array[] {
	return [
		...node.inputs.map((name) => stringField(1, name)),
		...node.outputs.map((name) => stringField(2, name)),
		...(node.name ? [stringField(3, node.name)] : []),
		stringField(4, node.opType),
		...Object.entries(node.attributes ?? {}).flatMap(([name, value]) =>
			messageField(5, encodeAttribute(name, value))
		),
		...(node.domain ? [stringField(7, node.domain)] : [])
	];
}

function encodeAttribute(name: string, value: AttributeValue): Uint8Array[] {
	const typed = (type: number, ...fields: Uint8Array[]) => [stringField(1, name), ...fields, varintField(20, type)];
	if (typeof value === 'number') return typed(AttributeType.INT, varintField(3, value));
	if (typeof value === 'string') return typed(AttributeType.STRING, stringField(4, value));
	if (Array.isArray(value)) return typed(AttributeType.INTS, ...value.map((v) => varintField(8, v)));
	if ('float' in value) return typed(AttributeType.FLOAT, float32Field(2, value.float));
	if ('graph' in value) return typed(AttributeType.GRAPH, ...messageField(6, encodeGraph(value.graph)));
	return typed(AttributeType.TENSOR, ...messageField(5, encodeTensor({ name: '', ...value.tensor })));
}

function encodeTensor(tensor: TensorSpec): Uint8Array[] {
	return [
		...tensor.dims.map((d) => varintField(1, d)),
		varintField(2, tensor.elemType),
		stringField(8, tensor.name),
		...messageField(9, [tensor.data])
	];
}

// ---- tensor data ----

export function float32Data(values: ArrayLike<number>): Uint8Array {
	return new Uint8Array(Float32Array.from(values).buffer);
}

export function float16Data(values: ArrayLike<number>): Uint8Array {
	return new Uint8Array(Uint16Array.from(Array.from(values, toFloat16Bits)).buffer);
}

export function int64Data(values: number[]): Uint8Array {
	return new Uint8Array(BigInt64Array.from(values.map(BigInt)).buffer);
}

export function boolData(values: boolean[]): Uint8Array {
	return Uint8Array.from(values, (v) => (v ? 1 : 0));
}

/** Round-to-nearest float → IEEE half bits; enough for the small, normal values these tests use. */
export function toFloat16Bits(value: number): number {
	const f32 = new Float32Array([value]);
	const bits = new Uint32Array(f32.buffer)[0];
	const sign = (bits >>> 16) & 0x8000;
	const exponent = ((bits >>> 23) & 0xff) - 127 + 15;
	const mantissa = bits & 0x7fffff;
	if (exponent <= 0) return sign;
	if (exponent >= 31) return sign | 0x7c00;
	const rounded = (exponent << 10) + (mantissa >>> 13) + ((mantissa >>> 12) & 1);
	return sign | rounded;
}

export function fromFloat16Bits(bits: number): number {
	const sign = bits & 0x8000 ? -1 : 1;
	const exponent = (bits >>> 10) & 0x1f;
	const mantissa = bits & 0x3ff;
	if (exponent === 0) return sign * mantissa * 2 ** -24;
	if (exponent === 31) return mantissa ? NaN : sign * Infinity;
	return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

export function dataFor(elemType: number, values: ArrayLike<number>): Uint8Array {
	if (elemType === ElemType.FLOAT16) return float16Data(values);
	if (elemType === ElemType.FLOAT) return float32Data(values);
	throw new Error(`dataFor: unsupported elem type ${elemType}`);
}

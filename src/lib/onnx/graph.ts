/**
 * Reads the structure of an ONNX model — nodes, their wiring and attributes, declared value types, initializer
 * names — without decoding any tensor data. Every message keeps the byte range it came from so patches can
 * rewrite exactly the enclosing headers and copy everything else.
 *
 * Field numbers are those of onnx.proto (ModelProto, GraphProto, NodeProto, AttributeProto, ValueInfoProto,
 * TypeProto, TensorProto).
 */
import { OnnxFormatError } from './errors';
import {
	ProtobufError,
	WIRE_FIXED32,
	WIRE_LENGTH_DELIMITED,
	WIRE_VARINT,
	FieldReader,
	readFloat32,
	readString,
	readVarints,
	type Field
} from './protobuf';
import { describeNonOnnx } from './sniff';

/** TensorProto.DataType values this module names. */
export const ElemType = {
	FLOAT: 1,
	INT32: 6,
	INT64: 7,
	BOOL: 9,
	FLOAT16: 10,
	DOUBLE: 11,
	BFLOAT16: 16
} as const;

export interface ValueInfo {
	name: string;
	/** TensorProto.DataType; 0 when the value is not a tensor or the type is not declared. */
	elemType: number;
	/** dim_value as a number, dim_param as its name, '?' for a dimension with neither. */
	dims: (number | string)[];
}

export interface OnnxAttribute {
	name: string;
	/** The attribute field inside its NodeProto. */
	field: Field;
	i?: number;
	f?: number;
	s?: string;
	ints?: number[];
	/** data_type of a tensor attribute (Constant's `value`); its data is not read. */
	tensorElemType?: number;
	g?: OnnxGraph;
	/** The g field inside the attribute: where a branch graph's bytes are. */
	gField?: Field;
}

export interface OnnxNode {
	/** Position in its graph: graph order, which exporters keep topological. */
	index: number;
	opType: string;
	/** "" for the default ONNX domain ("ai.onnx" is normalised to ""). */
	domain: string;
	name: string;
	/** Optional inputs/outputs that are skipped are "" as in the file. */
	inputs: string[];
	outputs: string[];
	attributes: OnnxAttribute[];
	/** The node field inside its GraphProto. */
	field: Field;
}

export interface OnnxGraph {
	name: string;
	nodes: OnnxNode[];
	inputs: ValueInfo[];
	outputs: ValueInfo[];
	valueInfo: ValueInfo[];
	/** Initializer name → TensorProto.DataType. */
	initializers: Map<string, number>;
}

export interface OnnxModel {
	irVersion: number;
	opsets: { domain: string; version: number }[];
	graph: OnnxGraph;
	/** Each occurrence of ModelProto.graph: protobuf merges repeats, and patched files append more. */
	graphFields: Field[];
	/** Domain::name of model-local functions; their bodies are not scanned. */
	functions: string[];
}

export function attribute(node: OnnxNode, name: string): OnnxAttribute | undefined {
	return node.attributes.find((a) => a.name === name);
}

/**
 * Scans a whole .onnx file. Throws OnnxFormatError, naming what the bytes look like, when they are not ONNX.
 * Cost is proportional to the number of protobuf fields outside tensor payloads, not to the file size.
 */
export function scanModel(bytes: Uint8Array): OnnxModel {
	if (bytes.length === 0) throw new OnnxFormatError('Not an ONNX model: the file is empty.');
	try {
		return readModel(bytes);
	} catch (error) {
		if (!(error instanceof ProtobufError || error instanceof OnnxFormatError)) throw error;
		const looksLike = describeNonOnnx(bytes);
		const reason = looksLike ? `it looks like ${looksLike}` : error.message;
		throw new OnnxFormatError(`Not an ONNX model (${bytes.length} bytes): ${reason}.`);
	}
}

/** The graph inputs that are fed at run time (initializers listed as inputs by old IR versions are left out). */
export function readGraphInputs(bytes: Uint8Array): ValueInfo[] {
	const { graph } = scanModel(bytes);
	return graph.inputs.filter((input) => !graph.initializers.has(input.name));
}

function readModel(bytes: Uint8Array): OnnxModel {
	const model: OnnxModel = { irVersion: 0, opsets: [], graph: emptyGraph(), graphFields: [], functions: [] };
	for (const f = new FieldReader(bytes); f.next(); ) {
		switch (f.number) {
			case 1:
				model.irVersion = expectVarint(f, 'ModelProto.ir_version');
				break;
			case 7:
				expectPayload(f, 'ModelProto.graph');
				model.graphFields.push(f.field());
				if (model.graphFields.length === 1) model.graph = readGraph(bytes, f);
				else mergeGraph(model.graph, readGraph(bytes, f));
				break;
			case 8:
				model.opsets.push(readOpset(bytes, expectPayload(f, 'ModelProto.opset_import')));
				break;
			case 25:
				model.functions.push(readFunctionName(bytes, expectPayload(f, 'ModelProto.functions')));
				break;
		}
	}
	if (model.graphFields.length === 0) throw new OnnxFormatError('it has no graph (ModelProto field 7)');
	if (model.irVersion === 0) throw new OnnxFormatError('it has no ir_version (ModelProto field 1)');
	return model;
}

function emptyGraph(): OnnxGraph {
	return { name: '', nodes: [], inputs: [], outputs: [], valueInfo: [], initializers: new Map() };
}

function mergeGraph(into: OnnxGraph, from: OnnxGraph): void {
	if (from.name) into.name = from.name;
	for (const node of from.nodes) into.nodes.push({ ...node, index: into.nodes.length });
	into.inputs.push(...from.inputs);
	into.outputs.push(...from.outputs);
	into.valueInfo.push(...from.valueInfo);
	for (const [name, type] of from.initializers) into.initializers.set(name, type);
}

function readGraph(bytes: Uint8Array, graphField: Field): OnnxGraph {
	const graph = emptyGraph();
	for (const f = new FieldReader(bytes, graphField.start, graphField.end); f.next(); ) {
		switch (f.number) {
			case 1:
				graph.nodes.push(readNode(bytes, expectPayload(f, 'NodeProto').field(), graph.nodes.length));
				break;
			case 2:
				graph.name = readString(bytes, expectPayload(f, 'GraphProto.name'));
				break;
			case 5: {
				const tensor = readTensorHeader(bytes, expectPayload(f, 'GraphProto.initializer'));
				graph.initializers.set(tensor.name, tensor.elemType);
				break;
			}
			case 11:
				graph.inputs.push(readValueInfo(bytes, expectPayload(f, 'GraphProto.input')));
				break;
			case 12:
				graph.outputs.push(readValueInfo(bytes, expectPayload(f, 'GraphProto.output')));
				break;
			case 13:
				graph.valueInfo.push(readValueInfo(bytes, expectPayload(f, 'GraphProto.value_info')));
				break;
			case 15: {
				// SparseTensorProto.values (1) carries the name.
				for (const v = new FieldReader(bytes, expectPayload(f, 'GraphProto.sparse_initializer').start, f.end); v.next(); ) {
					if (v.number !== 1) continue;
					const tensor = readTensorHeader(bytes, expectPayload(v, 'SparseTensorProto.values'));
					graph.initializers.set(tensor.name, tensor.elemType);
				}
				break;
			}
		}
	}
	return graph;
}

function readNode(bytes: Uint8Array, nodeField: Field, index: number): OnnxNode {
	const node: OnnxNode = {
		index,
		opType: '',
		domain: '',
		name: '',
		inputs: [],
		outputs: [],
		attributes: [],
		field: nodeField
	};
	for (const f = new FieldReader(bytes, nodeField.start, nodeField.end); f.next(); ) {
		switch (f.number) {
			case 1:
				node.inputs.push(readString(bytes, expectPayload(f, 'NodeProto.input')));
				break;
			case 2:
				node.outputs.push(readString(bytes, expectPayload(f, 'NodeProto.output')));
				break;
			case 3:
				node.name = readString(bytes, expectPayload(f, 'NodeProto.name'));
				break;
			case 4:
				node.opType = readString(bytes, expectPayload(f, 'NodeProto.op_type'));
				break;
			case 5:
				node.attributes.push(readAttribute(bytes, expectPayload(f, 'NodeProto.attribute').field()));
				break;
			case 7: {
				const domain = readString(bytes, expectPayload(f, 'NodeProto.domain'));
				node.domain = domain === 'ai.onnx' ? '' : domain;
				break;
			}
		}
	}
	if (!node.opType) throw new OnnxFormatError(`node ${index} has no op_type`);
	return node;
}

function readAttribute(bytes: Uint8Array, attributeField: Field): OnnxAttribute {
	const attr: OnnxAttribute = { name: '', field: attributeField };
	for (const f = new FieldReader(bytes, attributeField.start, attributeField.end); f.next(); ) {
		switch (f.number) {
			case 1:
				attr.name = readString(bytes, expectPayload(f, 'AttributeProto.name'));
				break;
			case 2:
				if (f.wireType !== WIRE_FIXED32) throw new OnnxFormatError('AttributeProto.f is not a float');
				attr.f = readFloat32(bytes, f);
				break;
			case 3:
				attr.i = expectVarint(f, 'AttributeProto.i');
				break;
			case 4:
				attr.s = readString(bytes, expectPayload(f, 'AttributeProto.s'));
				break;
			case 5:
				attr.tensorElemType = readTensorHeader(bytes, expectPayload(f, 'AttributeProto.t')).elemType;
				break;
			case 6:
				attr.g = readGraph(bytes, expectPayload(f, 'AttributeProto.g'));
				attr.gField = f.field();
				break;
			case 8:
				(attr.ints ??= []).push(...readVarints(bytes, f));
				break;
		}
	}
	return attr;
}

/** TensorProto name (8) and data_type (2); the data fields are skipped by length. */
function readTensorHeader(bytes: Uint8Array, tensorField: Field): { name: string; elemType: number } {
	let name = '';
	let elemType = 0;
	for (const f = new FieldReader(bytes, tensorField.start, tensorField.end); f.next(); ) {
		if (f.number === 8) name = readString(bytes, expectPayload(f, 'TensorProto.name'));
		else if (f.number === 2) elemType = expectVarint(f, 'TensorProto.data_type');
	}
	return { name, elemType };
}

function readValueInfo(bytes: Uint8Array, valueInfoField: Field): ValueInfo {
	const info: ValueInfo = { name: '', elemType: 0, dims: [] };
	for (const f = new FieldReader(bytes, valueInfoField.start, valueInfoField.end); f.next(); ) {
		if (f.number === 1) info.name = readString(bytes, expectPayload(f, 'ValueInfoProto.name'));
		else if (f.number === 2) Object.assign(info, readTensorType(bytes, expectPayload(f, 'TypeProto')));
	}
	return info;
}

/** TypeProto.tensor_type (1) or sparse_tensor_type (8): { elem_type (1), shape (2) { dim (1) } }. */
function readTensorType(bytes: Uint8Array, typeField: Field): Pick<ValueInfo, 'elemType' | 'dims'> {
	const result: Pick<ValueInfo, 'elemType' | 'dims'> = { elemType: 0, dims: [] };
	for (const t = new FieldReader(bytes, typeField.start, typeField.end); t.next(); ) {
		if (t.number !== 1 && t.number !== 8) continue;
		for (const f = new FieldReader(bytes, expectPayload(t, 'TypeProto.Tensor').start, t.end); f.next(); ) {
			if (f.number === 1) result.elemType = expectVarint(f, 'TypeProto.Tensor.elem_type');
			else if (f.number === 2) {
				for (const dim = new FieldReader(bytes, expectPayload(f, 'TensorShapeProto').start, f.end); dim.next(); ) {
					if (dim.number === 1) result.dims.push(readDimension(bytes, expectPayload(dim, 'Dimension')));
				}
			}
		}
	}
	return result;
}

function readDimension(bytes: Uint8Array, dimField: Field): number | string {
	let dim: number | string = '?';
	for (const f = new FieldReader(bytes, dimField.start, dimField.end); f.next(); ) {
		if (f.number === 1) dim = expectVarint(f, 'Dimension.dim_value');
		else if (f.number === 2) dim = readString(bytes, expectPayload(f, 'Dimension.dim_param'));
	}
	return dim;
}

function readOpset(bytes: Uint8Array, opsetField: Field): { domain: string; version: number } {
	const opset = { domain: '', version: 0 };
	for (const f = new FieldReader(bytes, opsetField.start, opsetField.end); f.next(); ) {
		if (f.number === 1) opset.domain = readString(bytes, expectPayload(f, 'OperatorSetIdProto.domain'));
		else if (f.number === 2) opset.version = expectVarint(f, 'OperatorSetIdProto.version');
	}
	return opset;
}

/** FunctionProto name (1) and domain (10). */
function readFunctionName(bytes: Uint8Array, functionField: Field): string {
	let name = '';
	let domain = '';
	for (const f = new FieldReader(bytes, functionField.start, functionField.end); f.next(); ) {
		if (f.number === 1) name = readString(bytes, expectPayload(f, 'FunctionProto.name'));
		else if (f.number === 10) domain = readString(bytes, expectPayload(f, 'FunctionProto.domain'));
	}
	return `${domain}::${name}`;
}

function expectPayload<F extends Field>(f: F, what: string): F {
	if (f.wireType !== WIRE_LENGTH_DELIMITED) {
		throw new OnnxFormatError(`${what} at byte ${f.tagStart} has wire type ${f.wireType}, expected a message or string`);
	}
	return f;
}

function expectVarint(f: Field, what: string): number {
	if (f.wireType !== WIRE_VARINT) {
		throw new OnnxFormatError(`${what} at byte ${f.tagStart} has wire type ${f.wireType}, expected an integer`);
	}
	return f.varint;
}

/**
 * Byte-level edits of a scanned model. Graph outputs are added by appending a second ModelProto.graph fragment
 * (protobuf merges it into the first). A changed node cannot be merged that way — it is an element of a repeated
 * field — so its bytes are replaced and only the enclosing graph header is re-encoded; every other byte,
 * weights included, is copied from the original as is.
 */
import { encodeValueInfo } from './encode';
import type { OnnxModel, OnnxNode } from './graph';
import { concatBytes, messageField, readFields, stringField, type Field } from './protobuf';

export interface NewOutput {
	name: string;
	elemType: number;
}

export interface NodeRewrite {
	node: OnnxNode;
	/** The node's new payload (NodeProto without tag and length). */
	payload: Uint8Array[];
}

export interface Replacement {
	field: Field;
	/** The complete new field: tag, length and payload. */
	chunks: Uint8Array[];
}

/** The payload of the message in `within`, with some of its fields replaced. Unchanged bytes are views. */
export function splice(
	bytes: Uint8Array,
	within: { start: number; end: number },
	replacements: Replacement[]
): Uint8Array[] {
	const chunks: Uint8Array[] = [];
	let pos = within.start;
	for (const { field, chunks: replacement } of [...replacements].sort((a, b) => a.field.tagStart - b.field.tagStart)) {
		chunks.push(bytes.subarray(pos, field.tagStart), ...replacement);
		pos = field.end;
	}
	chunks.push(bytes.subarray(pos, within.end));
	return chunks;
}

/** `0x3a len { 0x62 len ValueInfoProto }…`: graph outputs as a fragment to append to the file. */
export function graphOutputsFragment(outputs: NewOutput[]): Uint8Array[] {
	if (outputs.length === 0) return [];
	return messageField(
		7,
		outputs.flatMap((o) => messageField(12, [encodeValueInfo(o.name, o.elemType)]))
	);
}

/** Replaces top-level nodes and appends graph outputs; returns the new file. */
export function rewriteModel(
	bytes: Uint8Array,
	model: OnnxModel,
	rewrites: NodeRewrite[],
	outputs: NewOutput[]
): Uint8Array {
	const contains = (outer: Field, inner: Field) => outer.start <= inner.tagStart && inner.end <= outer.end;
	const graphReplacements = model.graphFields.flatMap((graphField): Replacement[] => {
		const inThisGraph = rewrites.filter((r) => contains(graphField, r.node.field));
		if (inThisGraph.length === 0) return [];
		const nodes = inThisGraph.map((r) => ({ field: r.node.field, chunks: messageField(1, r.payload) }));
		return [{ field: graphField, chunks: messageField(7, splice(bytes, graphField, nodes)) }];
	});
	const existing = new Set(model.graph.outputs.map((o) => o.name));
	const added = outputs.filter((o) => !existing.has(o.name));
	return concatBytes([...splice(bytes, { start: 0, end: bytes.length }, graphReplacements), ...graphOutputsFragment(added)]);
}

/**
 * A node payload with its outputs replaced and attributes set: every other field is copied as is. Outputs are
 * re-emitted after the copied fields, which keeps their order (protobuf concatenates repeated fields).
 */
export function rewriteNode(
	bytes: Uint8Array,
	node: OnnxNode,
	change: { outputs?: string[]; attributes?: { name: string; payload: Uint8Array[] }[] }
): Uint8Array[] {
	const replacedAttributes = new Set(change.attributes?.map((a) => a.name));
	const dropped = new Set(node.attributes.filter((a) => replacedAttributes.has(a.name)).map((a) => a.field.tagStart));
	const kept: Uint8Array[] = [];
	for (const f of readFields(bytes, node.field.start, node.field.end)) {
		if ((f.number === 2 && change.outputs) || dropped.has(f.tagStart)) continue;
		kept.push(bytes.subarray(f.tagStart, f.end));
	}
	return [
		...kept,
		...(change.outputs ?? []).map((name) => stringField(2, name)),
		...(change.attributes ?? []).flatMap((a) => messageField(5, a.payload))
	];
}

/** `count` names `${base}0`, `${base}1`, … skipping any already used for a value in the model (subgraphs included). */
export function uniqueNames(model: OnnxModel, base: string, count: number): string[] {
	const taken = new Set<string>();
	const collect = (graph: OnnxModel['graph']) => {
		for (const info of [...graph.inputs, ...graph.outputs, ...graph.valueInfo]) taken.add(info.name);
		for (const name of graph.initializers.keys()) taken.add(name);
		for (const node of graph.nodes) {
			for (const value of [...node.inputs, ...node.outputs]) taken.add(value);
			for (const attr of node.attributes) if (attr.g) collect(attr.g);
		}
	};
	collect(model.graph);
	const names: string[] = [];
	for (let i = 0; names.length < count; i++) {
		const name = `${base}${i}`;
		if (!taken.has(name)) names.push(name);
	}
	return names;
}

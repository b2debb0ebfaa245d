/** Encoders for the few ONNX messages a patch adds. Each returns the message payload (no tag, no length). */
import { concatBytes, messageField, stringField, varintField } from './protobuf';

/** AttributeProto.AttributeType values used when writing attributes. */
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7 } as const;

/** ValueInfoProto { name=1, type=2 { tensor_type=1 { elem_type=1, shape=2 } } }; no shape when dims is omitted. */
export function encodeValueInfo(name: string, elemType: number, dims?: (number | string)[]): Uint8Array {
	const tensorType: Uint8Array[] = [varintField(1, elemType)];
	if (dims) {
		const dimFields = dims.map((d) =>
			concatBytes(messageField(1, [typeof d === 'number' ? varintField(1, d) : stringField(2, d)]))
		);
		tensorType.push(...messageField(2, dimFields));
	}
	return concatBytes([stringField(1, name), ...messageField(2, messageField(1, tensorType))]);
}

/** AttributeProto { name=1, i=3, type=20 (INT) }. */
export function encodeIntAttribute(name: string, value: number): Uint8Array {
	return concatBytes([stringField(1, name), varintField(3, value), varintField(20, AttributeType.INT)]);
}

/**
 * Just enough protobuf to walk ONNX files and append to them.
 *
 * The reader yields byte ranges into the caller's buffer (never copies), so a tensor's payload is skipped by its
 * length prefix without being touched. The writer builds small messages as lists of chunks; large unchanged byte
 * ranges join a message as `subarray` views and are copied once, when the final file is assembled.
 */

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LENGTH_DELIMITED = 2;
export const WIRE_FIXED32 = 5;

/** The bytes are not well-formed protobuf (truncated, impossible lengths, unknown wire types). */
export class ProtobufError extends Error {
	override name = 'ProtobufError';
}

export interface Field {
	number: number;
	wireType: number;
	/** Offset of the field's tag: the field occupies [tagStart, end). */
	tagStart: number;
	/** Offset of the value: for length-delimited fields the payload after the length prefix. */
	start: number;
	end: number;
	/** The decoded value of a varint field (0 for other wire types). */
	varint: number;
}

/** Decodes the varint at `pos`; `end` bounds the read. Returns [value, offset after it]. */
export function readVarint(bytes: Uint8Array, pos: number, end: number): [number, number] {
	let value = 0;
	let scale = 1;
	for (let i = pos; i < end && i < pos + 10; i++) {
		const byte = bytes[i];
		value += (byte & 0x7f) * scale;
		scale *= 128;
		if (byte < 0x80) {
			// Beyond 7 bytes the sum stops being exact in a double: int64 negatives are 10-byte two's complement.
			return [i - pos < 7 ? value : decodeLongVarint(bytes, pos, i + 1), i + 1];
		}
	}
	throw new ProtobufError(`varint at byte ${pos} is truncated or longer than 10 bytes`);
}

function decodeLongVarint(bytes: Uint8Array, start: number, end: number): number {
	let value = 0n;
	for (let i = end - 1; i >= start; i--) value = (value << 7n) | BigInt(bytes[i] & 0x7f);
	return Number(BigInt.asIntN(64, value));
}

/** The fields of the message occupying [start, end) of `bytes`, in file order. */
export function* readFields(bytes: Uint8Array, start = 0, end = bytes.length): Generator<Field> {
	let pos = start;
	while (pos < end) {
		const tagStart = pos;
		const [tag, afterTag] = readVarint(bytes, pos, end);
		const number = Math.floor(tag / 8);
		const wireType = tag % 8;
		if (number === 0) throw new ProtobufError(`field number 0 at byte ${tagStart}`);
		let valueStart = afterTag;
		let valueEnd: number;
		let varint = 0;
		switch (wireType) {
			case WIRE_VARINT:
				[varint, valueEnd] = readVarint(bytes, afterTag, end);
				break;
			case WIRE_FIXED64:
				valueEnd = afterTag + 8;
				break;
			case WIRE_FIXED32:
				valueEnd = afterTag + 4;
				break;
			case WIRE_LENGTH_DELIMITED: {
				const [length, afterLength] = readVarint(bytes, afterTag, end);
				valueStart = afterLength;
				valueEnd = afterLength + length;
				if (length < 0) throw new ProtobufError(`negative length at byte ${tagStart}`);
				break;
			}
			default:
				throw new ProtobufError(`field ${number} at byte ${tagStart} has unsupported wire type ${wireType}`);
		}
		if (valueEnd > end) {
			throw new ProtobufError(
				`field ${number} at byte ${tagStart} needs ${valueEnd - valueStart} bytes but only ${end - valueStart} remain (truncated?)`
			);
		}
		yield { number, wireType, tagStart, start: valueStart, end: valueEnd, varint };
		pos = valueEnd;
	}
}

const utf8 = new TextDecoder();

export function readString(bytes: Uint8Array, field: Field): string {
	return utf8.decode(bytes.subarray(field.start, field.end));
}

export function readFloat32(bytes: Uint8Array, field: Field): number {
	return new DataView(bytes.buffer, bytes.byteOffset + field.start, 4).getFloat32(0, true);
}

/** Repeated integers arrive packed (one length-delimited field) or one varint per field; accepts both. */
export function readVarints(bytes: Uint8Array, field: Field): number[] {
	if (field.wireType === WIRE_VARINT) return [field.varint];
	const values: number[] = [];
	for (let pos = field.start; pos < field.end; ) {
		const [value, next] = readVarint(bytes, pos, field.end);
		values.push(value);
		pos = next;
	}
	return values;
}

// ---- writing ----

export function encodeVarint(value: number): Uint8Array {
	if (!Number.isSafeInteger(value)) throw new RangeError(`cannot encode ${value} as a varint`);
	// Negative int64 values are written as their 64-bit two's complement: always 10 bytes.
	let rest = value < 0 ? BigInt.asUintN(64, BigInt(value)) : BigInt(value);
	const out: number[] = [];
	while (rest >= 0x80n) {
		out.push(Number(rest & 0x7fn) | 0x80);
		rest >>= 7n;
	}
	out.push(Number(rest));
	return Uint8Array.from(out);
}

function tag(fieldNumber: number, wireType: number): Uint8Array {
	return encodeVarint(fieldNumber * 8 + wireType);
}

export function varintField(fieldNumber: number, value: number): Uint8Array {
	return concatBytes([tag(fieldNumber, WIRE_VARINT), encodeVarint(value)]);
}

export function float32Field(fieldNumber: number, value: number): Uint8Array {
	const payload = new Uint8Array(4);
	new DataView(payload.buffer).setFloat32(0, value, true);
	return concatBytes([tag(fieldNumber, WIRE_FIXED32), payload]);
}

/** A length-delimited field whose payload is the concatenation of `payload`, kept as chunks. */
export function messageField(fieldNumber: number, payload: Uint8Array[]): Uint8Array[] {
	const length = payload.reduce((sum, chunk) => sum + chunk.length, 0);
	return [tag(fieldNumber, WIRE_LENGTH_DELIMITED), encodeVarint(length), ...payload];
}

export function stringField(fieldNumber: number, value: string): Uint8Array {
	return concatBytes(messageField(fieldNumber, [new TextEncoder().encode(value)]));
}

export function concatBytes(chunks: Uint8Array[]): Uint8Array {
	const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
	let offset = 0;
	for (const chunk of chunks) {
		out.set(chunk, offset);
		offset += chunk.length;
	}
	return out;
}

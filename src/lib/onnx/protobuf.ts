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

interface Cursor {
	pos: number;
	limit: number;
}

/** Decodes the varint at cursor.pos and moves the cursor past it. */
function decodeVarint(bytes: Uint8Array, cursor: Cursor): number {
	const start = cursor.pos;
	let value = 0;
	let scale = 1;
	for (let i = start; i < cursor.limit && i < start + 10; i++) {
		const byte = bytes[i];
		value += (byte & 0x7f) * scale;
		scale *= 128;
		if (byte < 0x80) {
			cursor.pos = i + 1;
			// Beyond 7 bytes the sum stops being exact in a double: int64 negatives are 10-byte two's complement.
			return i - start < 7 ? value : decodeLongVarint(bytes, start, i + 1);
		}
	}
	throw new ProtobufError(`varint at byte ${start} is truncated or longer than 10 bytes`);
}

function decodeLongVarint(bytes: Uint8Array, start: number, end: number): number {
	let value = 0n;
	for (let i = end - 1; i >= start; i--) value = (value << 7n) | BigInt(bytes[i] & 0x7f);
	return Number(BigInt.asIntN(64, value));
}

/** Decodes the varint at `pos`; `end` bounds the read. Returns [value, offset after it]. */
export function readVarint(bytes: Uint8Array, pos: number, end: number): [number, number] {
	const cursor = { pos, limit: end };
	return [decodeVarint(bytes, cursor), cursor.pos];
}

/**
 * Walks the fields of the message in [start, limit) in place: each `next()` moves to the next field and
 * updates this object's Field properties. Allocates nothing per field, which keeps scans of big graphs fast;
 * call `field()` for a copy to keep.
 */
export class FieldReader implements Field, Cursor {
	number = 0;
	wireType = 0;
	tagStart = 0;
	start = 0;
	end = 0;
	varint = 0;
	pos: number;

	constructor(
		readonly bytes: Uint8Array,
		start = 0,
		readonly limit = bytes.length
	) {
		this.pos = start;
	}

	next(): boolean {
		if (this.pos >= this.limit) return false;
		this.tagStart = this.pos;
		const tag = decodeVarint(this.bytes, this);
		this.number = Math.floor(tag / 8);
		this.wireType = tag % 8;
		this.varint = 0;
		if (this.number === 0) throw new ProtobufError(`field number 0 at byte ${this.tagStart}`);
		switch (this.wireType) {
			case WIRE_VARINT:
				this.start = this.pos;
				this.varint = decodeVarint(this.bytes, this);
				this.end = this.pos;
				break;
			case WIRE_FIXED64:
			case WIRE_FIXED32:
				this.start = this.pos;
				this.end = this.pos + (this.wireType === WIRE_FIXED64 ? 8 : 4);
				break;
			case WIRE_LENGTH_DELIMITED: {
				const length = decodeVarint(this.bytes, this);
				if (length < 0) throw new ProtobufError(`negative length at byte ${this.tagStart}`);
				this.start = this.pos;
				this.end = this.pos + length;
				break;
			}
			default:
				throw new ProtobufError(`field ${this.number} at byte ${this.tagStart} has unsupported wire type ${this.wireType}`);
		}
		if (this.end > this.limit) {
			const [needed, remaining] = [this.end - this.start, this.limit - this.start];
			throw new ProtobufError(
				`field ${this.number} at byte ${this.tagStart} needs ${needed} bytes but only ${remaining} remain (truncated?)`
			);
		}
		this.pos = this.end;
		return true;
	}

	/** A copy of the current field's position and value. */
	field(): Field {
		const { number, wireType, tagStart, start, end, varint } = this;
		return { number, wireType, tagStart, start, end, varint };
	}
}

/** The fields of the message occupying [start, end) of `bytes`, in file order, as copies. */
export function* readFields(bytes: Uint8Array, start = 0, end = bytes.length): Generator<Field> {
	const reader = new FieldReader(bytes, start, end);
	while (reader.next()) yield reader.field();
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
	for (const cursor = { pos: field.start, limit: field.end }; cursor.pos < cursor.limit; ) {
		values.push(decodeVarint(bytes, cursor));
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

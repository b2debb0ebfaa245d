import { describe, expect, it } from 'vitest';
import {
	ProtobufError,
	WIRE_LENGTH_DELIMITED,
	WIRE_VARINT,
	concatBytes,
	encodeVarint,
	messageField,
	readFields,
	readString,
	readVarint,
	readVarints,
	stringField,
	varintField
} from './protobuf';

describe('varints', () => {
	it.each([0, 1, 127, 128, 300, 2 ** 31, 2 ** 49 + 3, Number.MAX_SAFE_INTEGER, -1, -2, -(2 ** 40)])(
		'round-trips %d',
		(value) => {
			const bytes = encodeVarint(value);
			expect(readVarint(bytes, 0, bytes.length)).toEqual([value, bytes.length]);
		}
	);

	it('writes negative int64 as ten bytes, as protobuf does', () => {
		expect(Array.from(encodeVarint(-1))).toEqual([255, 255, 255, 255, 255, 255, 255, 255, 255, 1]);
	});

	it('rejects a varint cut short', () => {
		expect(() => readVarint(Uint8Array.of(0x80, 0x80), 0, 2)).toThrow(ProtobufError);
	});
});

describe('readFields', () => {
	const message = concatBytes([varintField(1, 42), stringField(2, 'héllo'), ...messageField(3, [varintField(1, 7)])]);

	it('yields number, wire type and the byte range of each value', () => {
		const fields = [...readFields(message)];
		expect(fields.map((f) => [f.number, f.wireType])).toEqual([
			[1, WIRE_VARINT],
			[2, WIRE_LENGTH_DELIMITED],
			[3, WIRE_LENGTH_DELIMITED]
		]);
		expect(fields[0].varint).toBe(42);
		expect(readString(message, fields[1])).toBe('héllo');
		const nested = [...readFields(message, fields[2].start, fields[2].end)];
		expect(nested[0]).toMatchObject({ number: 1, varint: 7 });
	});

	it('skips a large payload by its length without reading it', () => {
		const payload = new Uint8Array(1 << 20).fill(0xff); // not valid protobuf: must never be parsed
		const bytes = concatBytes([...messageField(9, [payload]), varintField(2, 5)]);
		const fields = [...readFields(bytes)];
		expect(fields.map((f) => f.number)).toEqual([9, 2]);
		expect(fields[0].end - fields[0].start).toBe(payload.length);
	});

	it('rejects truncated messages, field number 0 and group wire types', () => {
		expect(() => [...readFields(message.subarray(0, message.length - 1))]).toThrow(/truncated/);
		expect(() => [...readFields(Uint8Array.of(0x00, 0x01))]).toThrow(/field number 0/);
		expect(() => [...readFields(Uint8Array.of(0x0b))]).toThrow(/wire type 3/);
	});

	it('reads repeated integers both packed and one per field', () => {
		const packed = concatBytes(messageField(8, [encodeVarint(1), encodeVarint(-1), encodeVarint(300)]));
		expect(readVarints(packed, [...readFields(packed)][0])).toEqual([1, -1, 300]);
		const unpacked = concatBytes([varintField(8, 1), varintField(8, -1)]);
		expect([...readFields(unpacked)].flatMap((f) => readVarints(unpacked, f))).toEqual([1, -1]);
	});
});

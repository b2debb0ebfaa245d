/**
 * Names what a file that failed to parse as ONNX most likely is, so the error can say "this is an HTML page"
 * rather than "bad varint at byte 3". These are the things a model download really returns by mistake.
 */
const signatures: { test: (head: string, bytes: Uint8Array) => boolean; what: string }[] = [
	{ test: (head) => head.startsWith('version https://git-lfs'), what: 'a Git LFS pointer, not the model file itself' },
	{ test: (head) => /^\s*<(!doctype|html|head|body|\?xml)/i.test(head), what: 'an HTML/XML page' },
	{ test: (head) => /^\s*[[{]/.test(head), what: 'JSON text' },
	{ test: (_, bytes) => startsWith(bytes, [0x89, 0x50, 0x4e, 0x47]), what: 'a PNG image' },
	{ test: (_, bytes) => startsWith(bytes, [0xff, 0xd8, 0xff]), what: 'a JPEG image' },
	{ test: (_, bytes) => startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]), what: 'a ZIP archive' },
	{ test: (_, bytes) => startsWith(bytes, [0x1f, 0x8b]), what: 'a gzip file' },
	{ test: (head) => head.slice(4, 8) === 'ORTM', what: 'an ONNX Runtime (.ort) flatbuffer, not an .onnx protobuf' }
];

function startsWith(bytes: Uint8Array, prefix: number[]): boolean {
	return prefix.every((byte, i) => bytes[i] === byte);
}

/** A short description of the file's apparent kind, or undefined when it has no recognisable signature. */
export function describeNonOnnx(bytes: Uint8Array): string | undefined {
	const head = new TextDecoder().decode(bytes.subarray(0, 64));
	return signatures.find((s) => s.test(head, bytes))?.what;
}

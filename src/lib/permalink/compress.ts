/** Text compression for links: UTF-8 → deflate-raw → base64url (no padding). */

/** Largest compressed payload a link may carry (bytes, before base64). */
export const MAX_COMPRESSED_BYTES = 64 * 1024;
/** Largest text a link may expand to (UTF-8 bytes): guards against deflate bombs. */
export const MAX_TEXT_BYTES = 200 * 1024;

export type InflateFailure = 'not-base64url' | 'too-large-compressed' | 'too-large-text' | 'corrupt' | 'not-utf8';
export type InflateResult = { ok: true; text: string } | { ok: false; reason: InflateFailure };

export async function deflateText(text: string): Promise<string> {
	const stream = streamThrough(new TextEncoder().encode(text), new CompressionStream('deflate-raw'));
	return toBase64Url(new Uint8Array(await new Response(stream).arrayBuffer()));
}

/**
 * Feeds `bytes` into a compression or decompression stream. Not through a Blob: Chromium registers every Blob with
 * its browser process by a synchronous call, which a busy machine turns into tens of milliseconds on the main thread.
 */
function streamThrough(bytes: Uint8Array<ArrayBuffer>, transform: CompressionStream | DecompressionStream): ReadableStream<Uint8Array> {
	const writer = transform.writable.getWriter();
	// Not awaited: the readable must be drained for the writes to finish. Their failures surface on the readable.
	writer.write(bytes).catch(() => undefined);
	writer.close().catch(() => undefined);
	return transform.readable;
}

/** Never throws: every way a payload can be wrong is a reason. */
export async function inflateText(payload: string): Promise<InflateResult> {
	if (!/^[A-Za-z0-9_-]+$/.test(payload) || payload.length % 4 === 1) return { ok: false, reason: 'not-base64url' };
	// Checked on the encoded length, before decoding anything.
	if (Math.floor((payload.length * 3) / 4) > MAX_COMPRESSED_BYTES) return { ok: false, reason: 'too-large-compressed' };
	const inflated = await inflateCapped(fromBase64Url(payload), MAX_TEXT_BYTES);
	if (inflated === 'corrupt' || inflated === 'too-large-text') return { ok: false, reason: inflated };
	try {
		// ignoreBOM: a text that starts with U+FEFF must come back with it.
		return { ok: true, text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(inflated) };
	} catch {
		return { ok: false, reason: 'not-utf8' };
	}
}

/** Inflates chunk by chunk and stops as soon as the output passes `limit`, so a bomb never fills memory. */
async function inflateCapped(compressed: Uint8Array<ArrayBuffer>, limit: number): Promise<Uint8Array | 'corrupt' | 'too-large-text'> {
	const reader = streamThrough(compressed, new DecompressionStream('deflate-raw')).getReader();
	const chunks: Uint8Array[] = [];
	let total = 0;
	try {
		for (;;) {
			const { done, value } = await reader.read();
			if (done) break;
			total += value.byteLength;
			if (total > limit) {
				await reader.cancel().catch(() => undefined);
				return 'too-large-text';
			}
			chunks.push(value);
		}
	} catch {
		// Truncated or invalid deflate data (or trailing junk) makes the stream error.
		return 'corrupt';
	}
	const out = new Uint8Array(total);
	let offset = 0;
	for (const chunk of chunks) {
		out.set(chunk, offset);
		offset += chunk.byteLength;
	}
	return out;
}

function toBase64Url(bytes: Uint8Array): string {
	let binary = '';
	// Chunked so String.fromCharCode never gets more arguments than the engine allows.
	for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
	return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
	const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
	const bytes = new Uint8Array(binary.length);
	for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
	return bytes;
}

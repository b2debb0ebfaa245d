/**
 * Downloads one file as bytes, streaming the body so the page can show loaded/total while it arrives.
 */
import { EngineFailure, HttpStatusError } from './failure';
import type { FileProgress } from './protocol';

export type FetchFunction = (input: string | URL, init?: RequestInit) => Promise<Response>;

/** Progress messages cross to the page; a few per second is smooth enough and cheap. */
const PROGRESS_INTERVAL_MS = 100;

function concat(chunks: readonly Uint8Array[], length: number): Uint8Array {
	const bytes = new Uint8Array(length);
	let offset = 0;
	for (const chunk of chunks) {
		bytes.set(chunk, offset);
		offset += chunk.length;
	}
	return bytes;
}

/** A body that breaks off is a network failure that names the file and how far it got; a cancel stays a cancel. */
async function readChunk(
	reader: ReadableStreamDefaultReader<Uint8Array>,
	file: string,
	loaded: number,
	total: number
): Promise<ReadableStreamReadResult<Uint8Array>> {
	try {
		return await reader.read();
	} catch (error) {
		if (error instanceof DOMException && error.name === 'AbortError') throw error;
		const reason = error instanceof Error ? error.message : String(error);
		const got = total ? `${loaded} of ${total} bytes` : `${loaded} bytes`;
		throw new EngineFailure('network', `The download of ${file} broke off after ${got} (${reason}). Loading again retries it.`);
	}
}

export async function fetchBytes(
	url: string,
	file: string,
	options: { onProgress: (progress: FileProgress) => void; fetch: FetchFunction }
): Promise<Uint8Array> {
	// The caller's fetch carries the abort signal (one per load, shared with transformers.js).
	const { fetch: fetchFile } = options;
	const response = await fetchFile(url);
	if (!response.ok) throw new HttpStatusError(response.status, url);
	const declared = Number(response.headers.get('content-length'));
	const total = Number.isFinite(declared) && declared > 0 ? declared : 0;
	if (!response.body) {
		const bytes = new Uint8Array(await response.arrayBuffer());
		options.onProgress({ file, loaded: bytes.length, total: bytes.length, done: true });
		return bytes;
	}
	const chunks: Uint8Array[] = [];
	let loaded = 0;
	let lastReport = 0;
	const reader = response.body.getReader();
	for (;;) {
		const { done, value } = await readChunk(reader, file, loaded, total);
		if (done) break;
		chunks.push(value);
		loaded += value.length;
		const now = performance.now();
		if (now - lastReport >= PROGRESS_INTERVAL_MS) {
			lastReport = now;
			options.onProgress({ file, loaded, total, done: false });
		}
	}
	options.onProgress({ file, loaded, total: total || loaded, done: true });
	return concat(chunks, loaded);
}

export type RemoteFile = { found: false } | { found: true; size: number | undefined };

/**
 * Whether a file exists and how large it is, from a HEAD request (no body), so a missing file or one too large
 * for memory is known before any download. Statuses other than 404 throw HttpStatusError.
 */
export async function probeFile(url: string, fetchFile: FetchFunction): Promise<RemoteFile> {
	const response = await fetchFile(url, { method: 'HEAD' });
	if (response.status === 404) return { found: false };
	if (!response.ok) throw new HttpStatusError(response.status, url);
	const declared = Number(response.headers.get('content-length'));
	return { found: true, size: Number.isFinite(declared) && declared > 0 ? declared : undefined };
}

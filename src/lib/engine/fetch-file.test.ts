import { describe, expect, it } from 'vitest';
import { fetchBytes, type FetchFunction } from './fetch-file';
import { EngineFailure, HttpStatusError } from './failure';
import type { FileProgress } from './protocol';

function streamed(chunks: Uint8Array[], headers: Record<string, string> = {}): FetchFunction {
	return async () =>
		new Response(
			new ReadableStream<Uint8Array>({
				start(controller) {
					for (const chunk of chunks) controller.enqueue(chunk);
					controller.close();
				}
			}),
			{ headers }
		);
}

async function download(fetch: FetchFunction): Promise<{ bytes: Uint8Array; reports: FileProgress[] }> {
	const reports: FileProgress[] = [];
	const bytes = await fetchBytes('http://x/onnx/model.onnx', 'onnx/model.onnx', {
		onProgress: (p) => reports.push(p),
		fetch
	});
	return { bytes, reports };
}

describe('fetchBytes', () => {
	it('joins the streamed chunks and ends with a done report carrying the total', async () => {
		const { bytes, reports } = await download(streamed([Uint8Array.of(1, 2), Uint8Array.of(3)], { 'content-length': '3' }));
		expect(Array.from(bytes)).toEqual([1, 2, 3]);
		expect(reports.at(-1)).toEqual({ file: 'onnx/model.onnx', loaded: 3, total: 3, done: true });
		expect(reports.slice(0, -1).every((r) => !r.done && r.total === 3)).toBe(true);
	});

	it('reports total 0 while the size is unknown, and the real size when done', async () => {
		const { reports } = await download(streamed([Uint8Array.of(1, 2, 3, 4)]));
		expect(reports[0].total).toBe(0);
		expect(reports.at(-1)).toMatchObject({ loaded: 4, total: 4, done: true });
	});

	it('throws the HTTP status', async () => {
		const notFound: FetchFunction = async () => new Response('no', { status: 404 });
		await expect(download(notFound)).rejects.toThrow(HttpStatusError);
		await expect(download(notFound)).rejects.toMatchObject({ status: 404 });
	});

	it('turns a body that breaks off into a network failure naming the file and the bytes received', async () => {
		const broken: FetchFunction = async () =>
			new Response(
				new ReadableStream<Uint8Array>({
					start(controller) {
						controller.enqueue(Uint8Array.of(1, 2));
						controller.error(new TypeError('network error'));
					}
				}),
				{ headers: { 'content-length': '4' } }
			);
		const failure = download(broken);
		await expect(failure).rejects.toBeInstanceOf(EngineFailure);
		await expect(download(broken)).rejects.toMatchObject({ code: 'network' });
		await expect(download(broken)).rejects.toThrow(/onnx\/model\.onnx broke off after \d+ of 4 bytes/);
	});
});

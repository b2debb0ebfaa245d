/**
 * A loopback static file server for the bench: the bench pages, onnxruntime-web's wasm files and the models.
 * Pages it serves are cross-origin isolated like the app (WASM threads), and every file may be read by the app
 * from its own origin (CORS and CORP), as a model host would allow.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { extname, resolve, sep } from 'node:path';

export interface StaticServer {
	/** http://127.0.0.1:<port> */
	origin: string;
	close(): Promise<void>;
}

/** URL path prefix (e.g. "/models/") → folder on disk. */
export type Mounts = Record<string, string>;

const CONTENT_TYPES: Record<string, string> = {
	'.html': 'text/html; charset=utf-8',
	'.js': 'text/javascript',
	'.mjs': 'text/javascript',
	'.css': 'text/css',
	'.json': 'application/json',
	// Needed for WebAssembly.instantiateStreaming.
	'.wasm': 'application/wasm'
};

const HEADERS = {
	'Cross-Origin-Opener-Policy': 'same-origin',
	'Cross-Origin-Embedder-Policy': 'require-corp',
	'Cross-Origin-Resource-Policy': 'cross-origin',
	'Access-Control-Allow-Origin': '*',
	'Access-Control-Expose-Headers': 'Content-Length',
	'Cache-Control': 'no-store'
};

function fileFor(mounts: Mounts, pathname: string): string | undefined {
	const path = decodeURIComponent(pathname);
	for (const [prefix, folder] of Object.entries(mounts)) {
		if (!path.startsWith(prefix)) continue;
		const root = resolve(folder);
		const file = resolve(root, path.slice(prefix.length));
		if (file.startsWith(root + sep)) return file;
	}
	return undefined;
}

async function serve(mounts: Mounts, request: IncomingMessage, response: ServerResponse): Promise<void> {
	const file = fileFor(mounts, new URL(request.url ?? '/', 'http://localhost').pathname);
	const info = file ? await stat(file).catch(() => undefined) : undefined;
	if (!file || !info?.isFile()) {
		response.writeHead(404, { ...HEADERS, 'Content-Type': 'text/plain' }).end('Not found');
		return;
	}
	response.writeHead(200, {
		...HEADERS,
		'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
		'Content-Length': String(info.size)
	});
	if (request.method === 'HEAD') response.end();
	else createReadStream(file).pipe(response);
}

export async function startStaticServer(mounts: Mounts): Promise<StaticServer> {
	const server = createServer((request, response) => {
		serve(mounts, request, response).catch((error: unknown) => response.writeHead(500).end(String(error)));
	});
	await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
	const address = server.address();
	if (!address || typeof address === 'string') throw new Error('The bench server has no TCP port.');
	return {
		origin: `http://127.0.0.1:${address.port}`,
		close: () =>
			new Promise((done) => {
				server.closeAllConnections();
				server.close(() => done());
			})
	};
}

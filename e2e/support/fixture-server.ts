/**
 * A loopback static server for the fixture models, in two layouts: a plain folder (`/<name>/<file>`, for
 * { kind: 'url' } sources) and the Hub's (`/<owner>/<name>/resolve/<revision>/<file>`, for Hub ids). The app
 * page is cross-origin isolated (COEP require-corp), so every response carries CORS and CORP headers.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { extname, resolve, sep } from 'node:path';

export const FIXTURE_ROOT = resolve('tests/fixtures/models');
/** The Hub owner the fixtures are published under, e.g. attnscope-fixtures/tiny-gpt2. */
export const FIXTURE_OWNER = 'attnscope-fixtures';
export const FIXTURE_REVISION = 'main';

export interface FixtureServer {
	/** http://127.0.0.1:<port> */
	origin: string;
	close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = { '.json': 'application/json', '.onnx': 'application/octet-stream' };

const SHARED_HEADERS = {
	'Access-Control-Allow-Origin': '*',
	'Access-Control-Expose-Headers': 'Content-Length, ETag',
	'Cross-Origin-Resource-Policy': 'cross-origin',
	'Cache-Control': 'no-store'
};

/** Maps a request path to a file path inside FIXTURE_ROOT, or undefined. */
function fixturePath(pathname: string): string | undefined {
	const parts = decodeURIComponent(pathname).split('/').filter(Boolean);
	const hub = parts.length >= 5 && parts[2] === 'resolve';
	if (hub && (parts[0] !== FIXTURE_OWNER || parts[3] !== FIXTURE_REVISION)) return undefined;
	const [name, ...file] = hub ? [parts[1], ...parts.slice(4)] : parts;
	if (!name || file.length === 0) return undefined;
	const path = resolve(FIXTURE_ROOT, name, ...file);
	return path.startsWith(FIXTURE_ROOT + sep) ? path : undefined;
}

async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
	const path = fixturePath(new URL(request.url ?? '/', 'http://localhost').pathname);
	const info = path ? await stat(path).catch(() => undefined) : undefined;
	if (!path || !info?.isFile()) {
		response.writeHead(404, { ...SHARED_HEADERS, 'Content-Type': 'text/plain' }).end('Not found');
		return;
	}
	response.writeHead(200, {
		...SHARED_HEADERS,
		'Content-Type': CONTENT_TYPES[extname(path)] ?? 'application/octet-stream',
		'Content-Length': String(info.size)
	});
	if (request.method === 'HEAD') response.end();
	else createReadStream(path).pipe(response);
}

export async function startFixtureServer(): Promise<FixtureServer> {
	const server = createServer((request, response) => {
		serve(request, response).catch((error: unknown) => response.writeHead(500).end(String(error)));
	});
	await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
	const address = server.address();
	if (!address || typeof address === 'string') throw new Error('The fixture server has no TCP port.');
	return {
		origin: `http://127.0.0.1:${address.port}`,
		close: () => new Promise((done) => server.close(() => done()))
	};
}

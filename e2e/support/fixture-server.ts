/**
 * A loopback static server for the fixture models, in two layouts: a plain folder (`/<name>/<file>`, for
 * { kind: 'url' } sources) and the Hub's (`/<owner>/<name>/resolve/<revision>/<file>`, for Hub ids). The app
 * page is cross-origin isolated (COEP require-corp), so every response carries CORS and CORP headers.
 *
 * A prefix on the fixture name serves it with a fault, for the loader's error cases:
 * - `huge-<name>`: ONNX and weight files declare a length far over any memory budget (HEAD and GET);
 * - `cut-<name>`: the first GET of each ONNX file sends half its bytes, then closes the connection;
 * - `html-<name>`: every file is an HTML page with status 200, as a misconfigured host or a login wall sends.
 * Hub-layout responses carry X-Repo-Commit like the Hub's: `commit` (settable) is what `main` points at. With
 * `unreachable` set, every connection is dropped unanswered, as when the network is gone.
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
	/** Every request so far, as "METHOD /path". */
	requests: string[];
	/** The commit `main` resolves to (40 hex digits). */
	commit: string;
	/** Drop every connection, as if the host could not be reached. */
	unreachable: boolean;
	close(): Promise<void>;
}

type Fault = 'huge' | 'cut' | 'html';
const FAULTS: readonly Fault[] = ['huge', 'cut', 'html'];
/** What a `huge-` file declares: 64 GiB. */
const HUGE_LENGTH = 64 * 1024 ** 3;
const HTML_PAGE = '<!doctype html><html><head><title>Sign in</title></head><body><p>Please sign in.</p></body></html>';

interface FixtureRequest {
	path: string;
	fault: Fault | undefined;
	hub: boolean;
}

const CONTENT_TYPES: Record<string, string> = { '.json': 'application/json', '.onnx': 'application/octet-stream' };

const SHARED_HEADERS = {
	'Access-Control-Allow-Origin': '*',
	'Access-Control-Expose-Headers': 'Content-Length, ETag, X-Repo-Commit',
	'Cross-Origin-Resource-Policy': 'cross-origin',
	'Cache-Control': 'no-store'
};

function splitFault(name: string): { name: string; fault: Fault | undefined } {
	const fault = FAULTS.find((f) => name.startsWith(`${f}-`));
	return fault ? { name: name.slice(fault.length + 1), fault } : { name, fault: undefined };
}

/** Maps a request path to a file path inside FIXTURE_ROOT and its fault, or undefined. */
function fixtureRequest(pathname: string): FixtureRequest | undefined {
	const parts = decodeURIComponent(pathname).split('/').filter(Boolean);
	const hub = parts.length >= 5 && parts[2] === 'resolve';
	if (hub && (parts[0] !== FIXTURE_OWNER || parts[3] !== FIXTURE_REVISION)) return undefined;
	const [folder, ...file] = hub ? [parts[1], ...parts.slice(4)] : parts;
	if (!folder || file.length === 0) return undefined;
	const { name, fault } = splitFault(folder);
	const path = resolve(FIXTURE_ROOT, name, ...file);
	return path.startsWith(FIXTURE_ROOT + sep) ? { path, fault, hub } : undefined;
}

const isModelFile = (path: string) => /\.onnx(_data(_\d+)?)?$/.test(path);

/** Sends the first half of the file, then drops the connection. */
function sendHalfThenClose(path: string, size: number, response: ServerResponse): void {
	const half = createReadStream(path, { start: 0, end: Math.floor(size / 2) - 1 });
	half.on('data', (chunk) => response.write(chunk));
	half.on('end', () => setTimeout(() => response.destroy(), 50));
}

async function serve(request: IncomingMessage, response: ServerResponse, alreadyCut: Set<string>, commit: string): Promise<void> {
	const target = fixtureRequest(new URL(request.url ?? '/', 'http://localhost').pathname);
	const info = target ? await stat(target.path).catch(() => undefined) : undefined;
	if (!target || !info?.isFile()) {
		response.writeHead(404, { ...SHARED_HEADERS, 'Content-Type': 'text/plain' }).end('Not found');
		return;
	}
	const { path, fault } = target;
	if (fault === 'html') {
		response.writeHead(200, { ...SHARED_HEADERS, 'Content-Type': 'text/html' }).end(request.method === 'HEAD' ? undefined : HTML_PAGE);
		return;
	}
	const huge = fault === 'huge' && isModelFile(path);
	response.writeHead(200, {
		...SHARED_HEADERS,
		...(target.hub ? { 'X-Repo-Commit': commit } : {}),
		'Content-Type': CONTENT_TYPES[extname(path)] ?? 'application/octet-stream',
		'Content-Length': String(huge ? HUGE_LENGTH : info.size)
	});
	if (request.method === 'HEAD') {
		response.end();
	} else if (huge) {
		// A loader that downloads anyway gets a broken body, and the request log shows the GET.
		response.destroy();
	} else if (fault === 'cut' && isModelFile(path) && !alreadyCut.has(path)) {
		alreadyCut.add(path);
		sendHalfThenClose(path, info.size, response);
	} else {
		createReadStream(path).pipe(response);
	}
}

export async function startFixtureServer(): Promise<FixtureServer> {
	const requests: string[] = [];
	const alreadyCut = new Set<string>();
	const state = { commit: 'a'.repeat(40), unreachable: false };
	const server = createServer((request, response) => {
		requests.push(`${request.method ?? 'GET'} ${request.url ?? '/'}`);
		if (state.unreachable) {
			response.destroy();
			return;
		}
		serve(request, response, alreadyCut, state.commit).catch((error: unknown) => response.writeHead(500).end(String(error)));
	});
	await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
	const address = server.address();
	if (!address || typeof address === 'string') throw new Error('The fixture server has no TCP port.');
	return {
		origin: `http://127.0.0.1:${address.port}`,
		requests,
		get commit() {
			return state.commit;
		},
		set commit(value: string) {
			state.commit = value;
		},
		get unreachable() {
			return state.unreachable;
		},
		set unreachable(value: boolean) {
			state.unreachable = value;
		},
		close: () => new Promise((done) => server.close(() => done()))
	};
}

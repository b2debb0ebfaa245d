/**
 * Downloaded model files in Cache Storage, keyed by the resolved URL (host, repo, revision and path), so a second
 * load of the same model is instant and works offline. The cache sits under the fetch every download of a load
 * uses (transformers.js's and the engine's own), so config, tokenizer and ONNX files are cached alike.
 * Shared by the worker (fills it) and the page (lists and clears it): Cache Storage belongs to the origin.
 */
import type { FetchFunction } from './fetch-file';

export const MODEL_CACHE_NAME = 'attnscope-models-v1';

async function openModelCache(): Promise<Cache | undefined> {
	if (typeof caches === 'undefined') return undefined;
	try {
		return await caches.open(MODEL_CACHE_NAME);
	} catch {
		// Private windows and some embedded contexts refuse Cache Storage: load without it.
		return undefined;
	}
}

function urlOf(input: string | URL): string {
	return typeof input === 'string' ? input : input.href;
}

/** Keeps `response` when it is final: a full file, or a 404 (so an offline load still knows a file is absent). */
function store(cache: Cache, url: string, response: Response): void {
	// A body cut off mid-download makes put reject, so a partial file is never kept.
	cache.put(url, response).catch(() => undefined);
}

/** `fetchFile` with Cache Storage in front: GET and HEAD are answered from the cache when it has the URL. */
export function cachingFetch(fetchFile: FetchFunction): FetchFunction {
	return async (input, init) => {
		const method = init?.method ?? 'GET';
		const cache = method === 'GET' || method === 'HEAD' ? await openModelCache() : undefined;
		if (!cache) return fetchFile(input, init);
		const url = urlOf(input);
		const cached = await cache.match(url);
		if (cached) return method === 'HEAD' ? new Response(null, { status: cached.status, headers: cached.headers }) : cached;
		const response = await fetchFile(input, init);
		if (method === 'GET' && (response.ok || response.status === 404)) store(cache, url, response.clone());
		else if (method === 'HEAD' && response.status === 404) store(cache, url, new Response(null, { status: 404 }));
		return response;
	};
}

/** What a revalidation found: the cached copy is current, was dropped (the revision moved), or could not be checked. */
export type Revalidation = 'current' | 'dropped' | 'unchecked' | 'not-cached';

/** The version a response describes: the Hub's commit for the revision when it says, else the file's ETag. */
function versionOf(response: Response): string | null {
	return response.headers.get('x-repo-commit') ?? response.headers.get('etag');
}

/**
 * For a model cached under a revision that can move (a branch like main, or a plain URL folder): asks the server,
 * with one HEAD of config.json, whether it still serves the version that was cached; if not, drops every cached file
 * of that folder so this load downloads the new version. A server that names no version leaves the cache as it is.
 */
export async function revalidateCachedModel(configUrl: string, fetchFile: FetchFunction): Promise<Revalidation> {
	const cache = await openModelCache();
	const cached = await cache?.match(configUrl);
	if (!cache || !cached?.ok) return 'not-cached';
	let response: Response;
	try {
		response = await fetchFile(configUrl, { method: 'HEAD', cache: 'no-store' });
	} catch (error) {
		if (error instanceof DOMException && error.name === 'AbortError') throw error;
		return 'unchecked';
	}
	if (!response.ok) return 'unchecked';
	const now = versionOf(response);
	if (now === null || now === versionOf(cached)) return 'current';
	const folder = modelFolder(configUrl);
	const stale = (await cache.keys()).filter((request) => modelFolder(request.url) === folder);
	await Promise.all(stale.map((request) => cache.delete(request)));
	return 'dropped';
}

export interface CachedModel {
	/** The model's folder URL (…/<owner>/<name>/resolve/<revision>/ for the Hub). */
	folder: string;
	files: number;
	bytes: number;
}

/** The folder a cached file belongs to: up to the revision for Hub URLs, else the folder above onnx/. */
export function modelFolder(url: string): string {
	const resolveAt = url.indexOf('/resolve/');
	if (resolveAt >= 0) {
		const revisionEnd = url.indexOf('/', resolveAt + '/resolve/'.length);
		return revisionEnd >= 0 ? url.slice(0, revisionEnd + 1) : url;
	}
	const folder = url.slice(0, url.lastIndexOf('/') + 1);
	return folder.endsWith('/onnx/') ? folder.slice(0, -'onnx/'.length) : folder;
}

async function responseSize(response: Response): Promise<number> {
	const declared = Number(response.headers.get('content-length'));
	return Number.isFinite(declared) && declared > 0 ? declared : (await response.blob()).size;
}

/** Cached models with their sizes, largest first. */
export async function listCachedModels(): Promise<CachedModel[]> {
	const cache = await openModelCache();
	if (!cache) return [];
	const models = new Map<string, CachedModel>();
	for (const request of await cache.keys()) {
		const response = await cache.match(request);
		if (!response?.ok) continue;
		const folder = modelFolder(request.url);
		const model = models.get(folder) ?? { folder, files: 0, bytes: 0 };
		model.files++;
		model.bytes += await responseSize(response);
		models.set(folder, model);
	}
	return [...models.values()].sort((a, b) => b.bytes - a.bytes);
}

export async function clearCachedModels(): Promise<void> {
	if (typeof caches !== 'undefined') await caches.delete(MODEL_CACHE_NAME);
}

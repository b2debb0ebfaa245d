/**
 * Where a model's files live, in the terms transformers.js's hub code understands (env.remoteHost,
 * env.remotePathTemplate, a model id and a revision). Hub ids and URLs of Hub-layout folders both become a
 * HubLocation, so one loader, and later one cache, serves them all.
 */
import { localModelRef } from '$lib/models';
import { EngineFailure } from './failure';
import type { FetchFunction } from './fetch-file';
import type { LocalFile, ModelSource } from './protocol';

export interface HubLocation {
	host: string;
	/** With {model} and {revision} placeholders, as env.remotePathTemplate. */
	pathTemplate: string;
	/** Must pass transformers.js's repo-id check even for URL folders (it refuses to download otherwise). */
	modelId: string;
	revision: string;
}

const HUB_PATH_TEMPLATE = '{model}/resolve/{revision}/';
const DEFAULT_REVISION = 'main';
/** transformers.js's REPO_ID_REGEX: optional owner/, then a name. */
const REPO_ID = /^(\b[\w\-.]+\b\/)?\b[\w\-.]{1,96}\b$/;
/** Stands in for the model id of a URL folder, whose path sits wholly in the template. */
const URL_FOLDER_MODEL_ID = 'model';

function trimSlashes(path: string): string {
	return path.replace(/^\/+|\/+$/g, '');
}

/** "owner/name" or "owner/name@revision"; an explicit revision wins over the suffix. */
function locateHubId(id: string, revision: string | undefined, hubHost: string): HubLocation {
	const at = id.lastIndexOf('@');
	const modelId = at >= 0 ? id.slice(0, at) : id;
	const idRevision = at >= 0 ? id.slice(at + 1) : undefined;
	if (!REPO_ID.test(modelId) || modelId.includes('..') || modelId.includes('--')) {
		throw new EngineFailure('not-found', `"${id}" is not a Hub model id (expected owner/name, optionally @revision).`);
	}
	return { host: hubHost, pathTemplate: HUB_PATH_TEMPLATE, modelId, revision: revision ?? idRevision ?? DEFAULT_REVISION };
}

function locateUrlFolder(url: string): HubLocation {
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		throw new EngineFailure('not-found', `"${url}" is not a URL.`);
	}
	if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
		throw new EngineFailure('not-found', `"${url}" is not an http(s) URL.`);
	}
	const folder = trimSlashes(parsed.pathname);
	return {
		host: `${parsed.origin}/`,
		pathTemplate: folder ? `${folder}/` : '',
		modelId: URL_FOLDER_MODEL_ID,
		revision: DEFAULT_REVISION
	};
}

export function locateModel(source: ModelSource, hubHost: string): HubLocation {
	switch (source.kind) {
		case 'hub':
			return locateHubId(source.id, source.revision, hubHost);
		case 'url':
			return locateUrlFolder(source.url);
		case 'files':
			return LOCAL_FILES_LOCATION;
	}
}

/**
 * Local files are served to transformers.js's hub code under this never-resolving host (.invalid is reserved)
 * by localFilesFetch, so they take the same path through the loader as downloads.
 */
const LOCAL_FILES_LOCATION: HubLocation = {
	host: 'https://local-files.invalid/',
	// Not empty: transformers.js would join host and file with a double slash.
	pathTemplate: 'model/',
	modelId: URL_FOLDER_MODEL_ID,
	revision: DEFAULT_REVISION
};

/** A fetch that answers from the given files (404 for any other path); nothing leaves the browser. */
export function localFilesFetch(files: readonly LocalFile[]): FetchFunction {
	const byUrl = new Map(files.map((local) => [fileUrl(LOCAL_FILES_LOCATION, trimSlashes(local.path)), local.file]));
	return async (input, init) => {
		const file = byUrl.get(typeof input === 'string' ? input : input.href);
		if (!file) return new Response('Not found', { status: 404 });
		const headers = { 'Content-Length': String(file.size) };
		return new Response(init?.method === 'HEAD' ? null : file, { status: 200, headers });
	};
}

/**
 * Paths relative to the model folder: a picked or dropped folder's files all start with its name
 * (tiny-gpt2/config.json); that common first segment goes unless config.json sits at the top already.
 */
export function relativeToModelFolder(files: readonly LocalFile[]): LocalFile[] {
	const folder = modelFolderName(files);
	return files.map((f) => {
		const path = trimSlashes(f.path);
		return { path: folder ? path.slice(folder.length + 1) : path, file: f.file };
	});
}

/** The name of the folder the files were picked or dropped in (their shared first path segment), if they have one. */
export function modelFolderName(files: readonly LocalFile[]): string | undefined {
	const first = trimSlashes(files[0]?.path ?? '').split('/')[0];
	return files.length > 0 && files.every((f) => trimSlashes(f.path).startsWith(`${first}/`)) ? first : undefined;
}

/** The URL transformers.js requests for `file` (same formula as its buildResourcePaths). */
export function fileUrl(location: HubLocation, file: string): string {
	const path = location.pathTemplate
		.replaceAll('{model}', location.modelId)
		.replaceAll('{revision}', encodeURIComponent(location.revision));
	return [location.host.replace(/\/+$/, ''), trimSlashes(path), file].filter(Boolean).join('/');
}

/** The id or URL the user gave, as shown in the UI and written into exports. */
export function modelName(source: ModelSource): string {
	switch (source.kind) {
		case 'hub':
			return source.revision ? `${source.id}@${source.revision}` : source.id;
		case 'url':
			return source.url;
		case 'files': {
			const folder = modelFolderName(source.files);
			return folder ? localModelRef(folder) : 'local files';
		}
	}
}

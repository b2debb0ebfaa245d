import type { ModelSource } from '$lib/engine/protocol';

/**
 * The model the page opens with: a folder in Hugging Face Hub layout that the app serves itself from static/models/,
 * so the first visit works offline. Change it here only.
 */
export const BUNDLED_MODEL = '/models/attnscope-gpt2-kjv/';

/** Text analysed when the page opens without a permalink. */
export const SAMPLE_TEXT = 'In the beginning God created the heaven and the earth.';

/** The Hugging Face Hub: models from here or from the app itself load without asking. */
const HUB_HOST = 'huggingface.co';

/** `owner/name`, optionally `@revision` (branch, tag or commit). */
const HUB_ID = /^([A-Za-z0-9][\w.-]{0,95})\/([\w.-]{1,96})(?:@([\w./-]{1,128}))?$/;

/** Longest model reference accepted from a user or a link. */
export const MAX_MODEL_REF_LENGTH = 2048;

/**
 * Turns what the user typed (or a permalink holds) into a model source: a Hub id, an absolute http(s) URL, or a path on
 * this site (the bundled model). Returns null for anything else, e.g. `javascript:` URLs.
 */
export function parseModelRef(ref: string, appOrigin: string): ModelSource | null {
	const trimmed = ref.trim();
	if (trimmed === '' || trimmed.length > MAX_MODEL_REF_LENGTH) return null;
	const hub = HUB_ID.exec(trimmed);
	if (hub && !trimmed.includes('//')) {
		const id = `${hub[1]}/${hub[2]}`;
		return hub[3] === undefined ? { kind: 'hub', id } : { kind: 'hub', id, revision: hub[3] };
	}
	// A path on this site must start with exactly one slash: "//host/x" is a protocol-relative URL to another host.
	if (trimmed.startsWith('/') && !trimmed.startsWith('//')) {
		return { kind: 'url', url: new URL(trimmed, appOrigin).href };
	}
	let url: URL;
	try {
		url = new URL(trimmed);
	} catch {
		return null;
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
	return { kind: 'url', url: url.href };
}

/**
 * A model folder from the user's disk is named `local:<folder name>` in the page state and in links: its files
 * cannot travel in a link, so a receiver is told which folder to choose instead.
 */
const LOCAL_PREFIX = 'local:';

export function localModelRef(folderName: string): string {
	return `${LOCAL_PREFIX}${folderName}`;
}

/** The folder name of a `local:` reference, or null for any other reference. */
export function localFolderName(ref: string): string | null {
	const trimmed = ref.trim();
	return trimmed.startsWith(LOCAL_PREFIX) && trimmed.length > LOCAL_PREFIX.length ? trimmed.slice(LOCAL_PREFIX.length) : null;
}

/** Whether loading this source fetches from a host other than the Hub or this app, so a link must ask first. */
export function isForeignSource(source: ModelSource, appOrigin: string): boolean {
	if (source.kind !== 'url') return false;
	const url = new URL(source.url);
	return url.origin !== new URL(appOrigin).origin && url.hostname !== HUB_HOST;
}

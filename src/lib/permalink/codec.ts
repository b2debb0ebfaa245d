/**
 * Permalinks: the page state in the URL fragment, e.g.
 *   #text=<deflate-raw+base64url>&model=%2Fmodels%2Fattnscope-gpt2-kjv%2F&view=heatmap&layer=1&heads=0,2&head=mean&token=3&from=0&pool=mean&backend=wasm
 *
 * Why the fragment, not the query: browsers never send the fragment to the server, so the user's text stays out of
 * server and proxy logs and Referer headers, and a static host needs no routing for it.
 *
 * Decoding never throws: every unknown or malformed value falls back to its default and adds a readable notice.
 */
import type { BackendPreference } from '$lib/engine/protocol';
import { MAX_MODEL_REF_LENGTH, localFolderName, parseModelRef } from '$lib/models';
import { deflateText, inflateText, MAX_COMPRESSED_BYTES, MAX_TEXT_BYTES, type InflateFailure } from './compress';
import {
	BACKEND_PREFERENCES,
	DEFAULT_STATE,
	defaultState,
	POOLINGS,
	TOKEN_SIDES,
	VIEWS,
	type HeatmapHead,
	type ThumbnailPooling,
	type TokenSide,
	type UrlState,
	type ViewName
} from './state';

/** Largest layer, head or token index a link may name before the model is known (no real model comes close). */
const MAX_INDEX = 9999;
const MAX_HEADS_LISTED = 1024;

const KEYS = ['text', 'model', 'view', 'layer', 'heads', 'head', 'token', 'side', 'from', 'pool', 'backend'] as const;
type Key = (typeof KEYS)[number];

export interface Decoded {
	state: UrlState;
	/** One sentence per value that was ignored, for the status region. */
	notices: string[];
}

export interface Encoded {
	/** Starts with '#'. */
	fragment: string;
	/** Set when the text was too long for a link and only its beginning was kept. */
	notices: string[];
}

type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = <T>(problem: string): Parsed<T> => ({ ok: false, problem });

export async function encodePermalink(state: UrlState): Promise<Encoded> {
	const { payload, notices } = await compressForLink(state.text);
	const params = new URLSearchParams();
	// Text and model always: if the defaults change, old links must still show the same thing.
	params.set('text', payload);
	params.set('model', state.model);
	if (state.view !== DEFAULT_STATE.view) params.set('view', state.view);
	if (state.layer !== DEFAULT_STATE.layer) params.set('layer', String(state.layer));
	if (state.heads !== 'all') params.set('heads', state.heads.join(','));
	if (state.heatmapHead !== DEFAULT_STATE.heatmapHead) params.set('head', String(state.heatmapHead));
	if (state.token !== null) params.set('token', String(state.token));
	if (state.token !== null && state.tokenSide !== DEFAULT_STATE.tokenSide) params.set('side', state.tokenSide);
	if (state.rolloutStart !== DEFAULT_STATE.rolloutStart) params.set('from', String(state.rolloutStart));
	if (state.pooling !== DEFAULT_STATE.pooling) params.set('pool', state.pooling);
	if (state.backend !== DEFAULT_STATE.backend) params.set('backend', state.backend);
	return { fragment: `#${params}`, notices };
}

/** `fragment` is `location.hash` (with or without '#'); `appOrigin` resolves model paths on this site. */
export async function decodePermalink(fragment: string, appOrigin: string): Promise<Decoded> {
	const state = defaultState();
	const notices: string[] = [];
	const params = new URLSearchParams(fragment.replace(/^#/, ''));
	const raw = firstValues(params, notices);

	const take = <T>(key: Key, parse: (value: string) => Parsed<T>, apply: (value: T) => void, fallback: string) => {
		const value = raw.get(key);
		if (value === undefined) return;
		const parsed = parse(value);
		if (parsed.ok) apply(parsed.value);
		else notices.push(`Link: ${parsed.problem}; using ${fallback} instead.`);
	};

	take('model', (v) => parseModel(v, appOrigin), (v) => (state.model = v), 'the bundled model');
	take('view', parseView, (v) => (state.view = v), `the ${DEFAULT_STATE.view} view`);
	take('layer', (v) => parseIndex('layer', v), (v) => (state.layer = v), `layer ${DEFAULT_STATE.layer}`);
	take('heads', parseHeads, (v) => (state.heads = v), 'all heads');
	take('head', parseHeatmapHead, (v) => (state.heatmapHead = v), describeHeatmapHead(DEFAULT_STATE.heatmapHead));
	take('token', (v) => parseIndex('token', v), (v) => (state.token = v), 'the default token');
	take('side', parseTokenSide, (v) => (state.tokenSide = v), `the ${DEFAULT_STATE.tokenSide} side`);
	take('from', (v) => parseIndex('rollout start layer', v), (v) => (state.rolloutStart = v), 'layer 0');
	take('pool', parsePooling, (v) => (state.pooling = v), `${DEFAULT_STATE.pooling} pooling`);
	take('backend', parseBackend, (v) => (state.backend = v), 'automatic choice');

	const text = raw.get('text');
	if (text !== undefined) {
		const inflated = await inflateText(text);
		if (inflated.ok) state.text = inflated.text;
		else notices.push(`Link: ${TEXT_PROBLEMS[inflated.reason]}; showing the sample text instead.`);
	}
	return { state, notices };
}

/** Keeps the first value of each known key; repeated and unknown keys become one notice each kind. */
function firstValues(params: URLSearchParams, notices: string[]): Map<Key, string> {
	const values = new Map<Key, string>();
	const unknown = new Set<string>();
	const repeated = new Set<string>();
	for (const [key, value] of params) {
		if (!isKey(key)) unknown.add(key);
		else if (values.has(key)) repeated.add(key);
		else values.set(key, value);
	}
	if (unknown.size > 0) notices.push(`Link: ignored unknown ${plural(unknown.size, 'parameter')} ${listNames(unknown)}.`);
	if (repeated.size > 0) notices.push(`Link: ${listNames(repeated)} given more than once; used the first.`);
	return values;
}

function isKey(key: string): key is Key {
	return (KEYS as readonly string[]).includes(key);
}

const TEXT_PROBLEMS: Record<InflateFailure, string> = {
	'not-base64url': 'the text is not valid base64url',
	'too-large-compressed': `the text is larger than ${MAX_COMPRESSED_BYTES / 1024} KB compressed`,
	'too-large-text': `the text expands to more than ${MAX_TEXT_BYTES / 1024} KB`,
	corrupt: 'the compressed text is damaged or truncated',
	'not-utf8': 'the text is not valid UTF-8'
};

function parseModel(value: string, appOrigin: string): Parsed<string> {
	if (value.length > MAX_MODEL_REF_LENGTH) return bad(`the model name is longer than ${MAX_MODEL_REF_LENGTH} characters`);
	if (parseModelRef(value, appOrigin) === null && localFolderName(value) === null) {
		return bad(`model ${quote(value)} is neither a Hub id nor an http(s) URL`);
	}
	return ok(value.trim());
}

function parseView(value: string): Parsed<ViewName> {
	const view = VIEWS.find((v) => v === value);
	return view ? ok(view) : bad(`unknown view ${quote(value)} (known: ${VIEWS.join(', ')})`);
}

function parseIndex(what: string, value: string): Parsed<number> {
	if (!/^\d+$/.test(value)) return bad(`${what} ${quote(value)} is not a whole number ≥ 0`);
	const index = Number(value);
	return index <= MAX_INDEX ? ok(index) : bad(`${what} ${quote(value)} is too large`);
}

function parseHeads(value: string): Parsed<number[] | 'all'> {
	if (value === 'all') return ok('all');
	if (value === '') return ok([]);
	const parts = value.split(',');
	if (parts.length > MAX_HEADS_LISTED) return bad(`the head list has more than ${MAX_HEADS_LISTED} entries`);
	const heads = new Set<number>();
	for (const part of parts) {
		const head = parseIndex('head', part);
		if (!head.ok) return bad(`head list ${quote(value)} is not comma-separated head numbers`);
		heads.add(head.value);
	}
	return ok([...heads].sort((a, b) => a - b));
}

function parseHeatmapHead(value: string): Parsed<HeatmapHead> {
	if (value === 'mean' || value === 'max') return ok(value);
	const head = parseIndex('heatmap head', value);
	return head.ok ? head : bad(`heatmap head ${quote(value)} is neither a head number nor mean or max`);
}

function parsePooling(value: string): Parsed<ThumbnailPooling> {
	const pooling = POOLINGS.find((p) => p === value);
	return pooling ? ok(pooling) : bad(`unknown thumbnail pooling ${quote(value)} (known: ${POOLINGS.join(', ')})`);
}

function parseTokenSide(value: string): Parsed<TokenSide> {
	const side = TOKEN_SIDES.find((s) => s === value);
	return side ? ok(side) : bad(`unknown token side ${quote(value)} (known: ${TOKEN_SIDES.join(', ')})`);
}

function parseBackend(value: string): Parsed<BackendPreference> {
	const backend = BACKEND_PREFERENCES.find((b) => b === value);
	return backend ? ok(backend) : bad(`unknown backend ${quote(value)} (known: ${BACKEND_PREFERENCES.join(', ')})`);
}

function describeHeatmapHead(head: HeatmapHead): string {
	return typeof head === 'number' ? `head ${head}` : `the ${head} of heads`;
}

/** Keeps as much of the text as fits the decoder's limits, cutting at code points so no character is split. */
async function compressForLink(text: string): Promise<{ payload: string; notices: string[] }> {
	let kept = Array.from(text);
	let payload = await deflateText(text);
	for (;;) {
		const bytes = new TextEncoder().encode(kept.join('')).byteLength;
		const compressed = Math.ceil((payload.length * 3) / 4);
		if (bytes <= MAX_TEXT_BYTES && compressed <= MAX_COMPRESSED_BYTES) break;
		const shrink = Math.min(MAX_TEXT_BYTES / bytes, MAX_COMPRESSED_BYTES / compressed) * 0.95;
		kept = kept.slice(0, Math.floor(kept.length * shrink));
		payload = await deflateText(kept.join(''));
	}
	const total = Array.from(text).length;
	const notices =
		kept.length < total ? [`The link holds only the first ${kept.length} of ${total} characters of the text.`] : [];
	return { payload, notices };
}

/** Shows an untrusted value in a notice: quoted, and shortened so a hostile link cannot flood the status region. */
function quote(value: string): string {
	return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}

function listNames(names: Set<string>): string {
	const shown = [...names].slice(0, 5).map(quote).join(', ');
	return names.size > 5 ? `${shown} and ${names.size - 5} more` : shown;
}

function plural(count: number, word: string): string {
	return count === 1 ? word : `${word}s`;
}

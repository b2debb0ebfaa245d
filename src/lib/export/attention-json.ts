/**
 * The attention JSON export (GUIDE §4): nested [layer][head][query][key] arrays, built only here and written as a
 * sequence of string parts (one per matrix row) so a large tensor never exists as one giant string or object tree
 * (12 layers × 12 heads × 256² tokens is ~200 MB of JSON). Layers are read from the engine one at a time, so the
 * page never holds more than one layer of float32 values.
 */
import type { Backend, Token } from '$lib/engine/protocol';
import type { AttentionReader } from '$lib/engine/reads';

export const ATTENTION_FORMAT = 'attnscope.attention/v1';

/** A JSON number, or null where the model produced NaN/±Infinity (JSON has no spelling for them). */
export type JsonFloat = number | null;

export interface AttentionJson {
	format: typeof ATTENTION_FORMAT;
	/** The Hub id or URL the model was loaded from. */
	model: string;
	backend: Backend;
	tokens: string[];
	token_ids: number[];
	/** [layers, heads, queries, keys]. */
	shape: [number, number, number, number];
	attention: JsonFloat[][][][];
	/** Attention rollout, queries × queries, when the export includes it. */
	rollout?: JsonFloat[][];
	/** The first layer multiplied into `rollout` (0 = every layer), present with it. */
	rollout_start_layer?: number;
}

export interface AttentionExport {
	model: string;
	backend: Backend;
	tokens: Token[];
	attention: AttentionReader;
	rollout?: { matrix: Float32Array; startLayer: number };
}

/** The export as ordered string parts, produced lazily; their concatenation is the JSON document. */
export async function* attentionJsonParts({ model, backend, tokens, attention, rollout }: AttentionExport): AsyncGenerator<string> {
	const { layers, heads, queries, keys } = attention.shape;
	const header = {
		format: ATTENTION_FORMAT,
		model,
		backend,
		tokens: tokens.map((token) => token.text),
		token_ids: tokens.map((token) => token.id),
		shape: [layers, heads, queries, keys]
	};
	yield `${JSON.stringify(header).slice(0, -1)},"attention":[`;
	for (let layer = 0; layer < layers; layer++) {
		if (layer > 0) yield ',';
		yield* nestedArrayParts((await attention.layer(layer)).data, [heads, queries, keys]);
	}
	yield ']';
	if (rollout) {
		yield `,"rollout_start_layer":${rollout.startLayer},"rollout":`;
		yield* nestedArrayParts(rollout.matrix, [queries, queries]);
	}
	yield '}';
}

/**
 * Builds the export file. Printing ~10⁷ floats takes seconds, so this hands the event loop back every few
 * milliseconds to keep the page responsive.
 */
export async function attentionJsonBlob(input: AttentionExport): Promise<Blob> {
	const parts: string[] = [];
	let sliceStart = performance.now();
	for await (const part of attentionJsonParts(input)) {
		parts.push(part);
		if (performance.now() - sliceStart > 30) {
			await new Promise((resolve) => setTimeout(resolve));
			sliceStart = performance.now();
		}
	}
	return new Blob(parts, { type: 'application/json' });
}

/** Row-major `data` of the given shape as nested JSON arrays, one part per innermost row. */
function* nestedArrayParts(data: Float32Array, shape: number[]): Generator<string> {
	const rowLength = shape[shape.length - 1];
	const outer = shape.slice(0, -1);
	const rows = outer.reduce((a, b) => a * b, 1);
	if (rows === 0) {
		yield '[]';
		return;
	}
	for (let row = 0; row < rows; row++) {
		// A row opens one bracket for each enclosing dimension it is the first of, and closes one for each it ends.
		let opens = 0;
		let closes = 0;
		for (let d = outer.length - 1, rest = row; d >= 0; d--) {
			const index = rest % outer[d];
			rest = Math.floor(rest / outer[d]);
			if (index === 0 && opens === outer.length - 1 - d) opens++;
			if (index === outer[d] - 1 && closes === outer.length - 1 - d) closes++;
		}
		const separator = row === 0 ? '' : ',';
		yield `${separator}${'['.repeat(opens)}[${rowJson(data, row * rowLength, rowLength)}]${']'.repeat(closes)}`;
	}
}

/** Float32 values printed as their exact float64 value: parsing gives back the identical float32 bits. */
function rowJson(data: Float32Array, start: number, length: number): string {
	const values = new Array<string>(length);
	for (let i = 0; i < length; i++) {
		const value = data[start + i];
		values[i] = Number.isFinite(value) ? String(value) : 'null';
	}
	return values.join(',');
}

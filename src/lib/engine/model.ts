/**
 * A loaded model: tokenizer, graph inputs and a running session, turning text into tokens and attention.
 */
import type { PreTrainedTokenizer } from '@huggingface/transformers';
import { shapeOf, type AttentionTensor } from '$lib/attention';
import { assembleAttention, freshStorage, type LayerAttention, type TensorStorage } from './assemble';
import { buildFeeds, type Feed, type GraphInput, type KeyValueShape } from './feeds';
import { EngineFailure } from './failure';
import type { AnalysisResult, ModelInfo, Token } from './protocol';
import type { ModelRunner } from './session';
import { softmaxRowsInPlace } from './softmax';
import { displayToken, truncateTokens, type TokenStyle } from './tokens';

/** How vocabulary ids read as text. */
export interface TokenTable {
	/** Vocabulary entry per id. */
	entries: readonly string[];
	special: ReadonlySet<number>;
	style: TokenStyle;
}

/** Everything a forward needs besides the session. */
export interface ModelInputs {
	tokenizer: PreTrainedTokenizer;
	graphInputs: readonly GraphInput[];
	keyValueShape: KeyValueShape;
	tokens: TokenTable;
	maxTokens: number;
	/** The outputs are pre-softmax scores (a fused op that emits no probabilities): the engine applies the softmax. */
	outputsAreScores: boolean;
}

/** Softmax rows sum to 1; more drift than this means the backend's numbers are wrong. */
const ROW_SUM_TOLERANCE = 1e-3;

/** Throws unless every value is finite and every row sums to 1: a cheap check that a backend computes correctly. */
export function checkAttention(attention: AttentionTensor): void {
	const { data, keys } = attention;
	for (let row = 0; row < data.length; row += keys) {
		let sum = 0;
		for (let k = row; k < row + keys; k++) {
			if (!Number.isFinite(data[k])) throw new EngineFailure('backend', `The attention computed contains ${data[k]}.`);
			sum += data[k];
		}
		if (Math.abs(sum - 1) > ROW_SUM_TOLERANCE) throw new EngineFailure('backend', `An attention row sums to ${sum}, not 1.`);
	}
}

export function encodeText(inputs: ModelInputs, text: string): { ids: number[]; truncatedFrom?: number } {
	if (text.trim() === '') throw new EngineFailure('empty-text', 'There is no text to analyse.');
	const ids = inputs.tokenizer.encode(text);
	if (ids.length === 0) throw new EngineFailure('empty-text', 'The text produced no tokens.');
	if (ids.length <= inputs.maxTokens) return { ids };
	return { ids: truncateTokens(ids, inputs.maxTokens, (id) => inputs.tokens.special.has(id)), truncatedFrom: ids.length };
}

export async function forward(
	run: (feeds: Feed[]) => Promise<LayerAttention[]>,
	inputs: ModelInputs,
	ids: readonly number[],
	storage: TensorStorage = freshStorage
): Promise<AttentionTensor> {
	const attention = assembleAttention(await run(buildFeeds(inputs.graphInputs, ids, inputs.keyValueShape)), storage);
	if (inputs.outputsAreScores) softmaxRowsInPlace(attention.data, attention.keys);
	return attention;
}

function describeTokens(ids: readonly number[], table: TokenTable): Token[] {
	return ids.map((id) => {
		const entry = table.entries[id] ?? `<${id}>`;
		const special = table.special.has(id);
		return { id, special, text: special ? entry : displayToken(entry, table.style) };
	});
}

export class EngineModel {
	readonly #info: ModelInfo;
	readonly #inputs: ModelInputs;
	readonly #runner: ModelRunner;

	constructor(info: ModelInfo, inputs: ModelInputs, runner: ModelRunner) {
		this.#info = info;
		this.#inputs = inputs;
		this.#runner = runner;
	}

	get info(): ModelInfo {
		return { ...this.#info, backend: this.#runner.backend };
	}

	/** The result for the page, and the attention the worker keeps for the page's reads (packed into `storage`). */
	async analyse(text: string, storage: TensorStorage): Promise<{ result: AnalysisResult; attention: AttentionTensor }> {
		const started = performance.now();
		const { ids, truncatedFrom } = encodeText(this.#inputs, text);
		const tokenized = performance.now();
		const attention = await forward((feeds) => this.#runner.run(feeds), this.#inputs, ids, storage);
		const finished = performance.now();
		const result: AnalysisResult = {
			tokens: describeTokens(ids, this.#inputs.tokens),
			shape: shapeOf(attention),
			backend: this.#runner.backend,
			...(truncatedFrom === undefined ? {} : { truncatedFrom }),
			timings: { tokenizeMs: tokenized - started, forwardMs: finished - tokenized },
			notices: this.#runner.takeNotices()
		};
		return { result, attention };
	}

	async release(): Promise<void> {
		await this.#runner.release();
	}
}

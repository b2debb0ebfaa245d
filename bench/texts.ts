/**
 * Texts that a model's tokenizer turns into exactly N tokens (special tokens included, as the engine counts them),
 * found with transformers.js in node: the tokenizer the engine runs in the browser.
 */
import { AutoTokenizer, env, type PreTrainedTokenizer } from '@huggingface/transformers';
import { basename, dirname } from 'node:path';

/** Public-domain prose (Genesis 1, KJV): ordinary words, punctuation and line breaks. */
const PASSAGE = `In the beginning God created the heaven and the earth. And the earth was without form, and void; and
darkness was upon the face of the deep. And the Spirit of God moved upon the face of the waters. And God said, Let
there be light: and there was light. And God saw the light, that it was good: and God divided the light from the
darkness. And God called the light Day, and the darkness he called Night. And the evening and the morning were the
first day. And God said, Let there be a firmament in the midst of the waters, and let it divide the waters from the
waters. `;

export interface BenchText {
	tokens: number;
	text: string;
	ids: number[];
}

export async function loadTokenizer(modelFolder: string): Promise<PreTrainedTokenizer> {
	env.allowRemoteModels = false;
	env.allowLocalModels = true;
	env.localModelPath = `${dirname(modelFolder)}/`;
	return AutoTokenizer.from_pretrained(basename(modelFolder));
}

/**
 * The shortest prefix of the passage (repeated, starting `offset` words in) that encodes to `tokens` tokens.
 * Token counts grow by at most one per character for byte-level BPE, so some prefix hits the count exactly.
 */
export function textOfLength(tokenizer: PreTrainedTokenizer, tokens: number, offset = 0): BenchText {
	const words = PASSAGE.split(' ');
	const rotated = [...words.slice(offset), ...words.slice(0, offset)].join(' ');
	let source = rotated;
	const count = (chars: number) => tokenizer.encode(source.slice(0, chars)).length;
	while (count(source.length) < tokens) source += rotated;
	// Binary search for the first prefix with at least `tokens` tokens.
	let low = 1;
	let high = source.length;
	while (low < high) {
		const middle = Math.floor((low + high) / 2);
		if (count(middle) < tokens) low = middle + 1;
		else high = middle;
	}
	const text = source.slice(0, low);
	const ids = tokenizer.encode(text);
	if (ids.length !== tokens) throw new Error(`no prefix encodes to exactly ${tokens} tokens (closest: ${ids.length})`);
	return { tokens, text, ids };
}

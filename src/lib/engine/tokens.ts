/**
 * Turns vocabulary entries into the text they stand for, so token labels read like the input:
 * byte-level BPE (GPT-2: 'Ġ' is a space, 'Ċ' a newline, 'âĢĻ' a ’), sentencepiece ('▁' is a space, '<0x0A>' a
 * byte) and wordpiece ('##' marks a word continuation).
 */
export type TokenStyle = 'byte-level' | 'sentencepiece' | 'wordpiece' | 'plain';

const SENTENCEPIECE_SPACE = '▁';
const WORDPIECE_CONTINUATION = '##';
const BYTE_FALLBACK = /^<0x([0-9A-Fa-f]{2})>$/;

/** GPT-2's bytes_to_unicode, inverted: printable bytes stand for themselves, the others were shifted to 256 + n. */
const BYTE_OF_CHAR: ReadonlyMap<string, number> = (() => {
	const map = new Map<string, number>();
	let shifted = 0;
	for (let byte = 0; byte < 256; byte++) {
		const printable = (byte >= 33 && byte <= 126) || (byte >= 161 && byte <= 172) || byte >= 174;
		map.set(String.fromCodePoint(printable ? byte : 256 + shifted++), byte);
	}
	return map;
})();

const BYTE_LEVEL_SPACE = 'Ġ';

const MARKED_STYLES = ['byte-level', 'sentencepiece', 'wordpiece'] as const;
type MarkedStyle = (typeof MARKED_STYLES)[number];

function markerOf(entry: string): MarkedStyle | undefined {
	if (entry.startsWith(BYTE_LEVEL_SPACE)) return 'byte-level';
	if (entry.startsWith(SENTENCEPIECE_SPACE)) return 'sentencepiece';
	if (entry.startsWith(WORDPIECE_CONTINUATION) && entry.length > WORDPIECE_CONTINUATION.length) return 'wordpiece';
	return undefined;
}

/** Guesses the style from the vocabulary: each style leaves its marker on many entries. */
export function detectTokenStyle(vocabulary: Iterable<string>): TokenStyle {
	const votes = new Map<MarkedStyle, number>(MARKED_STYLES.map((style) => [style, 0]));
	for (const entry of vocabulary) {
		const style = markerOf(entry);
		if (style) votes.set(style, (votes.get(style) ?? 0) + 1);
	}
	let winner: TokenStyle = 'plain';
	let most = 0;
	for (const [style, count] of votes) {
		if (count > most) [winner, most] = [style, count];
	}
	return winner;
}

function hexEscape(bytes: Iterable<number>): string {
	return Array.from(bytes, (b) => `\\x${b.toString(16).padStart(2, '0')}`).join('');
}

/** UTF-8 text, or \xHH escapes when the bytes are only part of a character (BPE splits inside characters). */
function decodeBytes(bytes: Uint8Array): string {
	try {
		return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
	} catch {
		return hexEscape(bytes);
	}
}

function displayByteLevel(raw: string): string {
	const bytes: number[] = [];
	for (const char of raw) {
		const byte = BYTE_OF_CHAR.get(char);
		// Added tokens are stored verbatim, outside the byte alphabet.
		if (byte === undefined) return raw;
		bytes.push(byte);
	}
	return decodeBytes(Uint8Array.from(bytes));
}

function displaySentencepiece(raw: string): string {
	const fallback = BYTE_FALLBACK.exec(raw);
	if (fallback) return decodeBytes(Uint8Array.of(parseInt(fallback[1], 16)));
	return raw.replaceAll(SENTENCEPIECE_SPACE, ' ');
}

function displayWordpiece(raw: string): string {
	return raw.startsWith(WORDPIECE_CONTINUATION) && raw.length > WORDPIECE_CONTINUATION.length
		? raw.slice(WORDPIECE_CONTINUATION.length)
		: raw;
}

/** The text a vocabulary entry contributes. Special tokens should be shown raw (callers skip this for them). */
export function displayToken(raw: string, style: TokenStyle): string {
	switch (style) {
		case 'byte-level':
			return displayByteLevel(raw);
		case 'sentencepiece':
			return displaySentencepiece(raw);
		case 'wordpiece':
			return displayWordpiece(raw);
		case 'plain':
			return raw;
	}
}

/**
 * Cuts `ids` to `maxTokens`, keeping the special tokens that close the sequence (BERT's [SEP]) so the model
 * still sees the frame it was trained on; the text in between loses its end.
 */
export function truncateTokens(ids: readonly number[], maxTokens: number, isSpecial: (id: number) => boolean): number[] {
	if (ids.length <= maxTokens) return [...ids];
	let closing = 0;
	while (closing < maxTokens - 1 && isSpecial(ids[ids.length - 1 - closing])) closing++;
	return [...ids.slice(0, maxTokens - closing), ...ids.slice(ids.length - closing)];
}

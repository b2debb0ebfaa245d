import type { Token } from '$lib/engine/protocol';

const VISIBLE_WHITESPACE: Record<string, string> = { ' ': '␣', '\n': '↵', '\t': '⇥', '\r': '␍' };

/**
 * Text to show for a token. Token.text is already readable; this only makes invisible characters
 * visible: line breaks and tabs always, spaces when the token is nothing but whitespace.
 */
export function tokenLabel(text: string): string {
	if (text === '') return '∅';
	if (text.trim() === '') return [...text].map((c) => VISIBLE_WHITESPACE[c] ?? '·').join('');
	return text.replace(/[\n\t\r]/g, (c) => VISIBLE_WHITESPACE[c]);
}

/** What a tooltip or screen reader says about token `index`. */
export function tokenDescription(token: Token, index: number): string {
	return `#${index} “${tokenLabel(token.text)}” (id ${token.id}${token.special ? ', special token' : ''})`;
}

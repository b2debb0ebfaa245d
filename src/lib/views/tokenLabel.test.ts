import { describe, expect, it } from 'vitest';
import { tokenDescription, tokenLabel } from './tokenLabel';

describe('tokenLabel', () => {
	it('keeps readable text as given, leading spaces included', () => {
		expect(tokenLabel(' the')).toBe(' the');
		expect(tokenLabel('[CLS]')).toBe('[CLS]');
		expect(tokenLabel('<script>')).toBe('<script>');
	});

	it('makes whitespace-only and empty tokens visible', () => {
		expect(tokenLabel(' ')).toBe('␣');
		expect(tokenLabel('\n\n')).toBe('↵↵');
		expect(tokenLabel(' \t')).toBe('␣⇥');
		expect(tokenLabel('\u00a0')).toBe('·');
		expect(tokenLabel('')).toBe('∅');
	});

	it('shows line breaks and tabs inside words', () => {
		expect(tokenLabel('a\nb\tc')).toBe('a↵b⇥c');
	});
});

describe('tokenDescription', () => {
	it('names index, text, id and specialness', () => {
		expect(tokenDescription({ text: '[CLS]', id: 101, special: true }, 0)).toBe('#0 “[CLS]” (id 101, special token)');
		expect(tokenDescription({ text: ' cat', id: 7, special: false }, 3)).toBe('#3 “ cat” (id 7)');
	});
});

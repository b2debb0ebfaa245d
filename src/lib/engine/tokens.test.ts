import { describe, expect, it } from 'vitest';
import { detectTokenStyle, displayToken, truncateTokens } from './tokens';

describe('displayToken', () => {
	it('decodes byte-level BPE: spaces, newlines and multi-byte characters', () => {
		expect(displayToken('Ġworld', 'byte-level')).toBe(' world');
		expect(displayToken('ĊĊ', 'byte-level')).toBe('\n\n');
		expect(displayToken('ĉx', 'byte-level')).toBe('\tx');
		expect(displayToken('âĢĻ', 'byte-level')).toBe('’');
		expect(displayToken('Ġcafé'.replace('é', 'Ã©'), 'byte-level')).toBe(' café');
	});

	it('escapes byte-level pieces of a character instead of showing U+FFFD', () => {
		expect(displayToken('âĢ', 'byte-level')).toBe('\\xe2\\x80');
	});

	it('leaves added tokens outside the byte alphabet as they are', () => {
		expect(displayToken('<|user|>✓', 'byte-level')).toBe('<|user|>✓');
	});

	it('renders sentencepiece spaces and byte fallback', () => {
		expect(displayToken('▁the', 'sentencepiece')).toBe(' the');
		expect(displayToken('<0x0A>', 'sentencepiece')).toBe('\n');
		expect(displayToken('<0xE2>', 'sentencepiece')).toBe('\\xe2');
	});

	it('joins wordpiece continuations', () => {
		expect(displayToken('##ing', 'wordpiece')).toBe('ing');
		expect(displayToken('##', 'wordpiece')).toBe('##');
		expect(displayToken('play', 'wordpiece')).toBe('play');
	});
});

describe('detectTokenStyle', () => {
	it('recognises each style by its marker', () => {
		expect(detectTokenStyle(['Ġthe', 'Ġa', 'x', '##y'])).toBe('byte-level');
		expect(detectTokenStyle(['▁the', '▁a', '<0x0A>'])).toBe('sentencepiece');
		expect(detectTokenStyle(['[CLS]', 'play', '##ing', '##s'])).toBe('wordpiece');
		expect(detectTokenStyle(['a', 'b'])).toBe('plain');
	});
});

describe('truncateTokens', () => {
	const special = (id: number) => id >= 100;

	it('keeps the closing special tokens and cuts the text before them', () => {
		expect(truncateTokens([101, 1, 2, 3, 4, 102], 4, special)).toEqual([101, 1, 2, 102]);
	});

	it('cuts plainly when the sequence does not end in a special token', () => {
		expect(truncateTokens([1, 2, 3, 4], 2, special)).toEqual([1, 2]);
	});

	it('leaves short sequences alone', () => {
		expect(truncateTokens([101, 1, 102], 8, special)).toEqual([101, 1, 102]);
	});
});

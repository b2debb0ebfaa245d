import { describe, expect, it } from 'vitest';
import { exportFileName } from './download';

describe('export file names', () => {
	it.each([
		['Xenova/gpt2', 'attnscope-Xenova-gpt2-attention.json'],
		['/models/tiny-gpt2/', 'attnscope-models-tiny-gpt2-attention.json'],
		['https://example.com/a b/../m?x=1', 'attnscope-a-b-..-m-x-1-attention.json'],
		['', 'attnscope-attention.json']
	])('%j', (model, name) => expect(exportFileName(model, 'attention', 'json')).toBe(name));
});

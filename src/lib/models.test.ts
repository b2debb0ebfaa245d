import { describe, expect, it } from 'vitest';
import { isForeignSource, parseModelRef } from './models';

const ORIGIN = 'http://127.0.0.1:4173';

describe('model references', () => {
	it.each([
		['Xenova/gpt2', { kind: 'hub', id: 'Xenova/gpt2' }],
		['onnx-community/bert-base-uncased@v1.0', { kind: 'hub', id: 'onnx-community/bert-base-uncased', revision: 'v1.0' }],
		['  Xenova/gpt2 ', { kind: 'hub', id: 'Xenova/gpt2' }],
		['/models/tiny-gpt2/', { kind: 'url', url: 'http://127.0.0.1:4173/models/tiny-gpt2/' }],
		['https://example.com/m/', { kind: 'url', url: 'https://example.com/m/' }]
	])('reads %s', (ref, source) => expect(parseModelRef(ref, ORIGIN)).toEqual(source));

	it.each(['', 'gpt2', 'javascript:alert(1)', 'data:text/plain,x', '//evil.example/m/', 'ftp://example.com/m/', 'a/b/c'])(
		'rejects %j',
		(ref) => expect(parseModelRef(ref, ORIGIN)).toBeNull()
	);

	it('asks before other hosts only', () => {
		const foreign = (ref: string) => isForeignSource(parseModelRef(ref, ORIGIN)!, ORIGIN);
		expect(foreign('Xenova/gpt2')).toBe(false);
		expect(foreign('/models/tiny-gpt2/')).toBe(false);
		expect(foreign('https://huggingface.co/Xenova/gpt2/resolve/main/')).toBe(false);
		expect(foreign('https://example.com/m/')).toBe(true);
		expect(foreign('http://127.0.0.1:9999/m/')).toBe(true);
		expect(foreign('https://huggingface.co.evil.example/m/')).toBe(true);
	});
});

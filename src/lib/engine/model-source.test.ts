import { describe, expect, it } from 'vitest';
import { fileUrl, localFilesFetch, locateModel, modelFolderName, modelName, relativeToModelFolder } from './model-source';
import { EngineFailure } from './failure';

const HUB = 'https://huggingface.co/';

describe('locateModel', () => {
	it('puts a URL folder wholly in the path template', () => {
		const location = locateModel({ kind: 'url', url: 'http://127.0.0.1:8000/models/tiny-gpt2/' }, HUB);
		expect(fileUrl(location, 'config.json')).toBe('http://127.0.0.1:8000/models/tiny-gpt2/config.json');
		expect(fileUrl(location, 'onnx/model.onnx')).toBe('http://127.0.0.1:8000/models/tiny-gpt2/onnx/model.onnx');
	});

	it('resolves Hub ids with a revision, from the id suffix or given apart', () => {
		const suffixed = locateModel({ kind: 'hub', id: 'Xenova/gpt2@v1.0' }, HUB);
		expect(suffixed).toMatchObject({ modelId: 'Xenova/gpt2', revision: 'v1.0' });
		expect(fileUrl(suffixed, 'config.json')).toBe('https://huggingface.co/Xenova/gpt2/resolve/v1.0/config.json');
		const plain = locateModel({ kind: 'hub', id: 'Xenova/gpt2' }, 'http://127.0.0.1:9/');
		expect(fileUrl(plain, 'onnx/model.onnx')).toBe('http://127.0.0.1:9/Xenova/gpt2/resolve/main/onnx/model.onnx');
		expect(locateModel({ kind: 'hub', id: 'a/b@x', revision: 'y' }, HUB).revision).toBe('y');
	});

	it('encodes revisions that contain slashes, as the Hub expects', () => {
		const location = locateModel({ kind: 'hub', id: 'a/b', revision: 'refs/pr/1' }, HUB);
		expect(fileUrl(location, 'config.json')).toBe('https://huggingface.co/a/b/resolve/refs%2Fpr%2F1/config.json');
	});

	it('rejects what is neither an id nor an http(s) URL', () => {
		expect(() => locateModel({ kind: 'hub', id: 'not an id' }, HUB)).toThrow(EngineFailure);
		expect(() => locateModel({ kind: 'url', url: 'ftp://x/y' }, HUB)).toThrow(/http\(s\)/);
		expect(() => locateModel({ kind: 'url', url: 'nope' }, HUB)).toThrow(/not a URL/);
	});
});

describe('local files', () => {
	const file = (text: string) => new Blob([text]);

	it('drops the picked folder name from the paths', () => {
		const picked = relativeToModelFolder([
			{ path: 'tiny-gpt2/config.json', file: file('{}') },
			{ path: 'tiny-gpt2/onnx/model.onnx', file: file('x') }
		]);
		expect(picked.map((f) => f.path)).toEqual(['config.json', 'onnx/model.onnx']);
		const top = relativeToModelFolder([{ path: 'config.json', file: file('{}') }, { path: 'onnx/model.onnx', file: file('x') }]);
		expect(top.map((f) => f.path)).toEqual(['config.json', 'onnx/model.onnx']);
	});

	it('names the model after the picked folder', () => {
		expect(modelName({ kind: 'files', files: [{ path: 'my-model/config.json', file: file('{}') }, { path: 'my-model/onnx/model.onnx', file: file('x') }] })).toBe('local:my-model');
		expect(modelName({ kind: 'files', files: [{ path: 'config.json', file: file('{}') }] })).toBe('local files');
		expect(modelFolderName([{ path: 'a/config.json', file: file('{}') }, { path: 'b/x', file: file('') }])).toBeUndefined();
	});

	it('serves them at the URLs the loader asks for, 404 for the rest', async () => {
		const location = locateModel({ kind: 'files', files: [] }, HUB);
		const fetchLocal = localFilesFetch([{ path: 'onnx/model.onnx', file: file('onnx!') }]);
		const found = await fetchLocal(fileUrl(location, 'onnx/model.onnx'));
		expect(await found.text()).toBe('onnx!');
		expect((await fetchLocal(fileUrl(location, 'onnx/model.onnx'), { method: 'HEAD' })).headers.get('content-length')).toBe('5');
		expect((await fetchLocal(fileUrl(location, 'config.json'))).status).toBe(404);
	});
});

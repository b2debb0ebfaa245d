import { describe, expect, it } from 'vitest';
import { modelFolder } from './model-cache';

describe('modelFolder', () => {
	it('groups Hub files by repo and revision, folder URLs by the folder above onnx/', () => {
		expect(modelFolder('https://huggingface.co/Xenova/gpt2/resolve/main/onnx/model.onnx')).toBe(
			'https://huggingface.co/Xenova/gpt2/resolve/main/'
		);
		expect(modelFolder('https://huggingface.co/Xenova/gpt2/resolve/main/config.json')).toBe('https://huggingface.co/Xenova/gpt2/resolve/main/');
		expect(modelFolder('http://127.0.0.1:9/models/tiny/onnx/model.onnx')).toBe('http://127.0.0.1:9/models/tiny/');
		expect(modelFolder('http://127.0.0.1:9/models/tiny/tokenizer.json')).toBe('http://127.0.0.1:9/models/tiny/');
	});
});

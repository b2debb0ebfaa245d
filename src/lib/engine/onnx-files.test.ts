import { describe, expect, it } from 'vitest';
import { externalDataFiles, onnxCandidates } from './onnx-files';

const files = (candidates: { file: string }[]) => candidates.map((c) => c.file);

describe('onnxCandidates', () => {
	it('honours an explicit dtype, plain file before the merged decoder', () => {
		expect(files(onnxCandidates('q4', 'webgpu'))).toEqual(['onnx/model_q4.onnx', 'onnx/decoder_model_merged_q4.onnx']);
		expect(files(onnxCandidates('fp16', 'wasm'))).toEqual(['onnx/model_fp16.onnx', 'onnx/decoder_model_merged_fp16.onnx']);
		expect(() => onnxCandidates('fp8', 'wasm')).toThrow(/Unknown dtype/);
	});

	it('defaults to the dtype in the repo config, then fp32, then the transformers.js backend default (q8 on WASM)', () => {
		expect(files(onnxCandidates(undefined, 'wasm'))).toEqual([
			'onnx/model.onnx',
			'onnx/decoder_model_merged.onnx',
			'onnx/model_quantized.onnx',
			'onnx/decoder_model_merged_quantized.onnx'
		]);
		expect(files(onnxCandidates(undefined, 'webgpu'))).toEqual(['onnx/model.onnx', 'onnx/decoder_model_merged.onnx']);
		expect(onnxCandidates(undefined, 'webgpu', { dtype: 'q4f16' }).map((c) => c.dtype)).toEqual(['q4f16', 'q4f16', 'fp32', 'fp32']);
	});
});

describe('externalDataFiles', () => {
	it('names the chunks as transformers.js does', () => {
		expect(externalDataFiles('onnx/model.onnx', undefined)).toEqual([]);
		expect(externalDataFiles('onnx/model.onnx', { use_external_data_format: true })).toEqual(['onnx/model.onnx_data']);
		expect(externalDataFiles('onnx/model_q4.onnx', { use_external_data_format: 2 })).toEqual([
			'onnx/model_q4.onnx_data',
			'onnx/model_q4.onnx_data_1'
		]);
		expect(externalDataFiles('onnx/model_fp16.onnx', { use_external_data_format: { 'model_fp16.onnx': 1 } })).toEqual([
			'onnx/model_fp16.onnx_data'
		]);
		expect(externalDataFiles('onnx/model.onnx', { use_external_data_format: { 'model_fp16.onnx': 1 } })).toEqual([]);
	});
});

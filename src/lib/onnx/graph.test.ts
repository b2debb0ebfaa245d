import { describe, expect, it } from 'vitest';
import { OnnxFormatError } from './errors';
import { ElemType, attribute, readGraphInputs, scanModel } from './graph';
import { encodeModel } from './testing/build-model';
import { BERT, buildAttentionModel, buildMergedDecoder } from './testing/models';

describe('scanModel', () => {
	it('reads nodes, attributes, values and initializer names', () => {
		const bytes = encodeModel({
			name: 'tiny',
			nodes: [
				{ opType: 'Softmax', inputs: ['x'], outputs: ['y'], name: 'sm', attributes: { axis: -1 } },
				{ opType: 'Mul', inputs: ['y', 'w'], outputs: ['z'], domain: 'ai.onnx', attributes: { perm: [0, 2, 1] } },
				{ opType: 'Gelu', inputs: ['z'], outputs: ['out'], domain: 'com.microsoft', attributes: { alpha: { float: 0.5 } } }
			],
			inputs: [{ name: 'x', elemType: ElemType.FLOAT16, dims: ['batch', 3, 4] }],
			outputs: [{ name: 'out', elemType: ElemType.FLOAT16 }],
			valueInfo: [{ name: 'y', elemType: ElemType.FLOAT16 }],
			initializers: [{ name: 'w', elemType: ElemType.FLOAT16, dims: [4], data: new Uint8Array(8) }]
		});
		const model = scanModel(bytes);
		expect(model.irVersion).toBe(8);
		expect(model.opsets).toContainEqual({ domain: '', version: 17 });
		const [softmax, mul, gelu] = model.graph.nodes;
		expect(softmax).toMatchObject({ index: 0, opType: 'Softmax', domain: '', name: 'sm', inputs: ['x'], outputs: ['y'] });
		expect(attribute(softmax, 'axis')?.i).toBe(-1);
		expect(mul.domain).toBe('');
		expect(attribute(mul, 'perm')?.ints).toEqual([0, 2, 1]);
		expect(gelu.domain).toBe('com.microsoft');
		expect(attribute(gelu, 'alpha')?.f).toBe(0.5);
		expect(model.graph.inputs).toEqual([{ name: 'x', elemType: ElemType.FLOAT16, dims: ['batch', 3, 4] }]);
		expect(model.graph.valueInfo).toEqual([{ name: 'y', elemType: ElemType.FLOAT16, dims: [] }]);
		expect(model.graph.initializers).toEqual(new Map([['w', ElemType.FLOAT16]]));
	});

	it('reads If branches as subgraphs', () => {
		const ifNode = scanModel(buildMergedDecoder(2)).graph.nodes.find((n) => n.opType === 'If');
		const thenBranch = ifNode && attribute(ifNode, 'then_branch')?.g;
		expect(thenBranch?.nodes.filter((n) => n.opType === 'Softmax')).toHaveLength(2);
	});

	it('merges repeated graph fields as protobuf does', () => {
		const model = buildAttentionModel({ layers: 1, style: BERT });
		const extra = encodeModel({ name: '', nodes: [], inputs: [], outputs: [{ name: 'extra', elemType: 1 }] });
		const merged = scanModel(new Uint8Array([...model, ...extra]));
		expect(merged.graphFields).toHaveLength(2);
		expect(merged.graph.outputs.map((o) => o.name)).toEqual(['logits', 'extra']);
		expect(merged.graph.nodes.length).toBe(scanModel(model).graph.nodes.length);
	});
});

describe('readGraphInputs', () => {
	it('lists the runtime inputs with types and dims', () => {
		expect(readGraphInputs(buildAttentionModel({ layers: 1, style: BERT }))).toEqual([
			{ name: 'input_ids', elemType: ElemType.INT64, dims: [1, 4] },
			{ name: 'attention_mask', elemType: ElemType.INT64, dims: [1, 4] }
		]);
	});

	it('lists past_key_values of a merged decoder with their symbolic dims', () => {
		const inputs = readGraphInputs(buildMergedDecoder(1));
		expect(inputs.map((i) => i.name)).toEqual([
			'input_ids',
			'past_key_values.0.key',
			'past_key_values.0.value',
			'use_cache_branch'
		]);
		expect(inputs[1].dims).toEqual([1, 2, 'past_sequence_length', 8]);
	});
});

describe('bytes that are not ONNX', () => {
	const text = (s: string) => new TextEncoder().encode(s);
	const valid = buildAttentionModel({ layers: 1, style: BERT });

	it.each([
		['empty bytes', new Uint8Array(0), /file is empty/],
		['a PNG image', Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13), /PNG image/],
		['an HTML page', text('<!DOCTYPE html><html><body>Not found</body></html>'), /HTML/],
		['JSON', text('{"error":"Repository not found"}'), /JSON/],
		['a Git LFS pointer', text('version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 12\n'), /Git LFS pointer/],
		['a truncated model', valid.subarray(0, Math.floor(valid.length / 2)), /truncated/],
		['random protobuf without a graph', Uint8Array.of(0x08, 0x07, 0x12, 0x01, 0x41), /no graph/]
	])('rejects %s with a clear OnnxFormatError', (_, bytes, message) => {
		expect(() => scanModel(bytes)).toThrow(OnnxFormatError);
		expect(() => scanModel(bytes)).toThrow(message);
	});
});

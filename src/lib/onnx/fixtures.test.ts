/**
 * The scanner and patches against models exported by PyTorch (tests/fixtures, see its README): every
 * tests/fixtures/models/<name>/onnx/*.onnx, checked against the attention PyTorch computed for that file
 * (reference.<dtype>.json for quantised and float16 files, reference.json for the rest).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NOT_FROM_QK, findAttentionSoftmax } from './attention';
import { NoAttentionError } from './errors';
import { findFusedAttention } from './fused';
import { attribute, scanModel } from './graph';
import { patchModelForAttention } from './patch';
import { patchFusedAttentionForQk } from './qk-output';
import { RUNTIME_TIMEOUT, runEach, standardFeeds, values } from './testing/run';
import { thrownBy } from './testing/thrown';

const MODELS = 'tests/fixtures/models';

interface Reference {
	cases: { text: string; input_ids: number[]; attention: number[][][][] }[];
}

interface ModelFile {
	folder: string;
	file: string;
	/** transformers.js's dtype for the file's suffix; picks reference.<dtype>.json. */
	dtype: Dtype;
	float16: boolean;
}

type Dtype = 'fp32' | 'fp16' | 'q8' | 'q4' | 'q4f16';

/** transformers.js v4's file suffixes (DEFAULT_DTYPE_SUFFIX_MAPPING); other files (merged decoders) are fp32. */
const SUFFIX_DTYPE: Record<string, Dtype> = { _fp16: 'fp16', _quantized: 'q8', _q4: 'q4', _q4f16: 'q4f16' };

/**
 * Float32 files match PyTorch within 1e-4. The float16 references are approximate (computed in float32 on the
 * float16 weights): single values differ by up to 2.1e-3 (fp16) and 2.9e-3 (q4f16); the fixtures README allows these.
 */
const MAX_ERROR: Record<Dtype, number> = { fp32: 1e-4, q8: 1e-4, q4: 1e-4, fp16: 3e-3, q4f16: 4e-3 };

function dtypeOf(file: string): Dtype {
	const suffix = /^model(_\w+)\.onnx$/.exec(file)?.[1];
	return (suffix && SUFFIX_DTYPE[suffix]) || 'fp32';
}

const modelFiles: ModelFile[] = (existsSync(MODELS) ? readdirSync(MODELS) : [])
	.filter((folder) => existsSync(`${MODELS}/${folder}/reference.json`) && existsSync(`${MODELS}/${folder}/onnx`))
	.flatMap((folder) =>
		readdirSync(`${MODELS}/${folder}/onnx`)
			.filter((file) => file.endsWith('.onnx'))
			.map((file) => ({
				folder,
				file,
				dtype: dtypeOf(file),
				float16: /fp16|f16/.test(file)
			}))
	);

function load({ folder, file, dtype }: ModelFile) {
	const dir = `${MODELS}/${folder}`;
	const config = JSON.parse(readFileSync(`${dir}/config.json`, 'utf8'));
	const externalData = readdirSync(`${dir}/onnx`)
		.filter((other) => other.startsWith(`${file}_data`))
		.map((path) => ({ path, data: new Uint8Array(readFileSync(`${dir}/onnx/${path}`)) }));
	return {
		bytes: new Uint8Array(readFileSync(`${dir}/onnx/${file}`)),
		externalData,
		layers: (config.n_layer ?? config.num_hidden_layers ?? config.n_layers) as number,
		causal: !['bert', 'roberta', 'distilbert'].includes(config.model_type),
		reference: JSON.parse(readFileSync(`${dir}/${referenceFile(dir, dtype)}`, 'utf8')) as Reference
	};
}

/** A dtype's own reference; without one the file computes the same numbers as model.onnx (README). */
function referenceFile(dir: string, dtype: Dtype): string {
	const own = `reference.${dtype}.json`;
	return dtype !== 'fp32' && existsSync(`${dir}/${own}`) ? own : 'reference.json';
}

describe.skipIf(modelFiles.length === 0).each(modelFiles)('fixture $folder/$file', RUNTIME_TIMEOUT, (modelFile) => {
	const { bytes, externalData, layers, causal, reference } = load(modelFile);
	const fused = findFusedAttention(scanModel(bytes).graph);

	if (fused.length > 0) {
		it('is refused by patchModelForAttention, naming its fused op', () => {
			expect(fused).toHaveLength(layers);
			const error = thrownBy(() => patchModelForAttention(bytes));
			expect(error).toBeInstanceOf(NoAttentionError);
			expect((error as NoAttentionError).foundOps).toEqual([fused[0].op]);
		});
	} else {
		it('has exactly one attention Softmax per layer (config.json) and no other Softmax', () => {
			const model = scanModel(bytes);
			const top = findAttentionSoftmax(model.graph);
			const merged = model.graph.nodes.find((n) => n.opType === 'If');
			const branch = merged && attribute(merged, 'else_branch')?.g;
			const found = top.softmax.length > 0 || !branch ? top : findAttentionSoftmax(branch);
			expect(found.softmax).toHaveLength(layers);
			expect(found.rejected).toEqual([]);
		});
	}

	it('patched outputs are the attention, in layer order (onnxruntime-web)', async () => {
		const patched =
			fused.length > 0 ? patchFusedAttentionForQk(bytes) : { ...patchModelForAttention(bytes), softmaxApplied: true };
		expect(patched.outputs.map((o) => o.layer)).toEqual([...Array(layers).keys()]);
		expect(patched.outputs.every((o) => o.elemType === (modelFile.float16 ? 'float16' : 'float32'))).toBe(true);

		const feeds = reference.cases.map((c) => standardFeeds(patched.bytes, { inputIds: c.input_ids }));
		const runs = await runEach(patched.bytes, feeds, externalData);
		let maxError = 0;
		for (const [i, testCase] of reference.cases.entries()) {
			const tokens = testCase.input_ids.length;
			for (const output of patched.outputs) {
				const fetched = values(runs[i][output.name]);
				const actual = patched.softmaxApplied ? fetched : softmaxRows(fetched, tokens);
				const expected = testCase.attention[output.layer].flat(2);
				expect(actual.length).toBe(expected.length);
				expectProbabilities(actual, tokens, causal, modelFile.float16 ? 5e-3 : 1e-5);
				for (let j = 0; j < expected.length; j++) maxError = Math.max(maxError, Math.abs(actual[j] - expected[j]));
			}
		}
		const label = `${modelFile.folder}/${modelFile.file}`;
		console.log(`${label} (${modelFile.dtype}): max |attention − PyTorch reference| = ${maxError.toExponential(2)}`);
		expect(maxError).toBeLessThanOrEqual(MAX_ERROR[modelFile.dtype]);
	});
});

function softmaxRows(scores: Float32Array, width: number): Float32Array {
	const out = new Float32Array(scores.length);
	for (let start = 0; start < scores.length; start += width) {
		const row = scores.subarray(start, start + width);
		const max = Math.max(...row);
		const exps = Array.from(row, (x) => Math.exp(x - max));
		const sum = exps.reduce((a, b) => a + b, 0);
		exps.forEach((e, i) => (out[start + i] = e / sum));
	}
	return out;
}

/** Rows of [heads, tokens, tokens] sum to 1; causal models give no weight to later tokens. */
function expectProbabilities(data: Float32Array, tokens: number, causal: boolean, tolerance: number) {
	for (let row = 0; row < data.length / tokens; row++) {
		const cells = data.subarray(row * tokens, (row + 1) * tokens);
		expect(Math.abs(cells.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(tolerance);
		if (causal) expect(Math.max(0, ...cells.subarray((row % tokens) + 1))).toBeLessThan(1e-6);
	}
}

describe.skipIf(!existsSync('tests/fixtures/no-attention.onnx'))('fixture no-attention.onnx', () => {
	it('is rejected, naming the Softmax it saw and why it is not attention', () => {
		const bytes = new Uint8Array(readFileSync('tests/fixtures/no-attention.onnx'));
		const error = thrownBy(() => patchModelForAttention(bytes));
		expect(error).toBeInstanceOf(NoAttentionError);
		expect((error as NoAttentionError).foundOps).toEqual([NOT_FROM_QK]);
		expect((error as NoAttentionError).message).toContain(NOT_FROM_QK);
	});
});

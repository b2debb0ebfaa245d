/**
 * Every export flavour in tests/fixtures/models, loaded by Hub id through the real loader (the fixture server as
 * the Hub) and compared with its PyTorch reference: WASM for all, WebGPU (SwiftShader: slow) for a few.
 */
import { expect } from '@playwright/test';
import type { Backend } from '../src/lib/engine/protocol';
import { loadAndAnalyse, openHarness } from './support/engine-harness';
import { test } from './support/fixture-test';
import { FIXTURE_OWNER } from './support/fixture-server';
import { maxAbsError, referenceCases } from './support/reference';

interface Flavour {
	fixture: string;
	/** undefined: the engine's default (fp32 where the repo has it). */
	dtype?: 'fp16' | 'q8' | 'q4' | 'q4f16';
	/** The ONNX file the loader must pick. */
	file: string;
	/** Also run on WebGPU (a representative few). */
	webgpu: boolean;
	/** A fused op whose attention only WASM emits: WebGPU requests fall back with a notice. */
	wasmOnly?: boolean;
}

const FLAVOURS: Flavour[] = [
	{ fixture: 'tiny-distilbert', file: 'onnx/model.onnx', webgpu: false },
	{ fixture: 'tiny-roberta', file: 'onnx/model.onnx', webgpu: false },
	{ fixture: 'tiny-qwen2', file: 'onnx/model.onnx', webgpu: false },
	{ fixture: 'tiny-gpt2', dtype: 'q8', file: 'onnx/model_quantized.onnx', webgpu: true },
	{ fixture: 'tiny-bert', dtype: 'q8', file: 'onnx/model_quantized.onnx', webgpu: false },
	{ fixture: 'tiny-gpt2', dtype: 'q4', file: 'onnx/model_q4.onnx', webgpu: false },
	{ fixture: 'tiny-llama', dtype: 'q4', file: 'onnx/model_q4.onnx', webgpu: true },
	{ fixture: 'tiny-gpt2', dtype: 'fp16', file: 'onnx/model_fp16.onnx', webgpu: true },
	{ fixture: 'tiny-llama', dtype: 'fp16', file: 'onnx/model_fp16.onnx', webgpu: false },
	{ fixture: 'tiny-qwen2', dtype: 'q4f16', file: 'onnx/model_q4f16.onnx', webgpu: false },
	{ fixture: 'tiny-gpt2-merged', file: 'onnx/decoder_model_merged.onnx', webgpu: true },
	{ fixture: 'tiny-llama-external', file: 'onnx/model.onnx', webgpu: true },
	{ fixture: 'tiny-llama-gqa', file: 'onnx/model.onnx', webgpu: true, wasmOnly: true },
	{ fixture: 'tiny-bert-mha', file: 'onnx/model.onnx', webgpu: true, wasmOnly: true }
];

/**
 * Issue 5: 1e-4 on WASM, 1e-3 on WebGPU. The float16 references are approximate (float32 arithmetic on float16
 * weights): the fixtures README measures up to 2.1e-3 (fp16) and 2.9e-3 (q4f16) on onnxruntime's CPU and allows
 * 3e-3 and 4e-3, which apply here on either backend.
 */
const MAX_ERROR: Record<Backend, number> = { wasm: 1e-4, webgpu: 1e-3 };
const FLOAT16_MAX_ERROR: Record<string, number> = { fp16: 3e-3, q4f16: 4e-3 };

test.beforeEach(async ({ page }) => {
	await openHarness(page);
});

for (const flavour of FLAVOURS) {
	const backends: Backend[] = flavour.webgpu ? ['wasm', 'webgpu'] : ['wasm'];
	for (const backend of backends) {
		const label = `${flavour.fixture} ${flavour.dtype ?? 'default dtype'} (${flavour.file}) on ${backend}`;
		test(`${label} reproduces its reference attention`, async ({ page, fixtures }) => {
			test.slow(backend === 'webgpu');
			const cases = referenceCases(flavour.fixture, flavour.dtype);
			const source = { kind: 'hub', id: `${FIXTURE_OWNER}/${flavour.fixture}` } as const;
			const run = await loadAndAnalyse(
				page,
				source,
				backend,
				cases.map((c) => c.text),
				{ dtype: flavour.dtype, hubHost: `${fixtures.origin}/` }
			);
			expect(run.progress.filter((p) => p.done).map((p) => p.file)).toContain(flavour.file);
			const ranOn = run.info.backend;
			if (ranOn !== backend) {
				// Only a fused op's attention, or a float16 model on an adapter without shader-f16, moves it to WASM.
				const reason = flavour.wasmOnly ? /Running on WASM: .*Attention/ : /Running on WASM: .*shader-f16/;
				expect(run.info.notices.join(' ')).toMatch(reason);
			}
			if (flavour.wasmOnly) expect(ranOn).toBe('wasm');

			let worst = 0;
			run.analyses.forEach((analysis, i) => {
				expect(analysis.tokens.map((t) => t.id)).toEqual(cases[i].input_ids);
				worst = Math.max(worst, maxAbsError(analysis, cases[i]));
			});
			const allowed = Math.max(MAX_ERROR[ranOn], (flavour.dtype && FLOAT16_MAX_ERROR[flavour.dtype]) || 0);
			console.log(`${label}: ran on ${ranOn}, max |attention − reference| ${worst.toExponential(2)} (allowed ${allowed})`);
			expect(worst).toBeLessThanOrEqual(allowed);
		});
	}
}

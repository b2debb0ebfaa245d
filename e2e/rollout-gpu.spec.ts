/**
 * Attention rollout in WebGPU compute shaders (src/lib/analysis/rollout-gpu.ts) against rollout.ts on the CPU, in
 * Chromium's SwiftShader WebGPU, on seeded random 12-layer × 12-head tensors. Runs the bench's rollout page from its
 * own loopback server; nothing here is timed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { buildBenchPages } from '../bench/build-pages';
import { startStaticServer, type StaticServer } from '../bench/static-server';
import type {} from '../bench/pages/rollout';

/** float32 products of 12 row-stochastic matrices against float64 ones. */
const MAX_ERROR = 1e-5;

let server: StaticServer;
let outDir: string;

test.beforeAll(async () => {
	outDir = await mkdtemp(join(tmpdir(), 'attnscope-rollout-'));
	await buildBenchPages(['rollout'], outDir);
	server = await startStaticServer({ '/': outDir });
});

test.afterAll(async () => {
	await server.close();
	await rm(outDir, { recursive: true, force: true });
});

// 37 is no multiple of the 64 × 64 tile or of 4, so the shaders' edge handling is checked too.
for (const tokens of [37, 64, 256]) {
	test(`WebGPU rollout equals the CPU rollout at 12 layers × 12 heads × ${tokens} tokens`, async ({ page }) => {
		await page.goto(`${server.origin}/rollout.html`);
		const result = await page.evaluate(
			(request) => {
				if (!window.rolloutBench) throw new Error('The rollout bench page did not load.');
				return window.rolloutBench.compare(request);
			},
			{ layers: 12, heads: 12, tokens, seed: tokens, runs: 0, warmUp: true }
		);
		console.log(`rollout 12×12×${tokens}: max |GPU − CPU| ${result.maxAbsError.toExponential(2)} (${result.backend})`);
		expect(result.backend).toBe('webgpu');
		expect(result.maxAbsError).toBeLessThanOrEqual(MAX_ERROR);
	});
}

test('without WebGPU the rollout falls back to the CPU', async ({ page }) => {
	await page.addInitScript(() => Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined }));
	await page.goto(`${server.origin}/rollout.html`);
	const result = await page.evaluate(() => {
		if (!window.rolloutBench) throw new Error('The rollout bench page did not load.');
		return window.rolloutBench.compare({ layers: 3, heads: 2, tokens: 9, seed: 1, runs: 0, warmUp: true });
	});
	expect(result).toMatchObject({ backend: 'cpu', maxAbsError: 0 });
});

/**
 * Where models come from besides a plain download: the Cache Storage copy on a second load, and a folder of local
 * files (as the folder picker and drop zone hand them over), both through the real loader on WASM.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect } from '@playwright/test';
import type { FileProgress, ModelInfo } from '../src/lib/engine/protocol';
import { loadAndAnalyse, openHarness } from './support/engine-harness';
import { test } from './support/fixture-test';
import { FIXTURE_OWNER, FIXTURE_ROOT } from './support/fixture-server';
import { maxAbsError, referenceCases } from './support/reference';

test.beforeEach(async ({ page }) => {
	await openHarness(page);
});

const CONFIG_HEAD = `HEAD /${FIXTURE_OWNER}/tiny-bert/resolve/main/config.json`;

test('a second load comes from Cache Storage, asking the host only whether main still points at the same commit', async ({ page, fixtures }) => {
	const cases = referenceCases('tiny-bert');
	const source = { kind: 'hub', id: `${FIXTURE_OWNER}/tiny-bert` } as const;
	const options = { hubHost: `${fixtures.origin}/` };
	await loadAndAnalyse(page, source, 'wasm', [cases[0].text], options);
	const before = fixtures.requests.length;

	const second = await loadAndAnalyse(page, source, 'wasm', [cases[0].text], options);
	expect(fixtures.requests.slice(before)).toEqual([CONFIG_HEAD]);
	expect(second.info.notices).toEqual([]);
	expect(second.progress.filter((p) => p.done).map((p) => p.file)).toContain('onnx/model.onnx');
	expect(maxAbsError(second.analyses[0], cases[0])).toBeLessThanOrEqual(1e-4);

	const cachedUrls = await page.evaluate(async () => (await (await caches.open('attnscope-models-v1')).keys()).map((r) => r.url));
	expect(cachedUrls).toContain(`${fixtures.origin}/${FIXTURE_OWNER}/tiny-bert/resolve/main/onnx/model.onnx`);
});

test('a cached main that moved to a new commit is downloaded again; an unreachable host keeps the cached copy', async ({ page, fixtures }) => {
	const cases = referenceCases('tiny-bert');
	const source = { kind: 'hub', id: `${FIXTURE_OWNER}/tiny-bert` } as const;
	const options = { hubHost: `${fixtures.origin}/` };
	const previousCommit = fixtures.commit;
	try {
		await loadAndAnalyse(page, source, 'wasm', [], options);
		fixtures.commit = 'b'.repeat(40);
		let before = fixtures.requests.length;
		const moved = await loadAndAnalyse(page, source, 'wasm', [cases[0].text], options);
		expect(fixtures.requests.slice(before)).toEqual(
			expect.arrayContaining([CONFIG_HEAD, `GET /${FIXTURE_OWNER}/tiny-bert/resolve/main/config.json`, `GET /${FIXTURE_OWNER}/tiny-bert/resolve/main/onnx/model.onnx`])
		);
		expect(moved.info.notices).toEqual([`${FIXTURE_OWNER}/tiny-bert changed since it was cached: downloaded it again.`]);
		expect(maxAbsError(moved.analyses[0], cases[0])).toBeLessThanOrEqual(1e-4);

		fixtures.unreachable = true;
		before = fixtures.requests.length;
		const offline = await loadAndAnalyse(page, source, 'wasm', [cases[0].text], options);
		// Chromium may retry a request whose connection was reset: one HEAD or several, nothing else.
		expect(new Set(fixtures.requests.slice(before))).toEqual(new Set([CONFIG_HEAD]));
		expect(offline.info.notices).toEqual([expect.stringMatching(/^Could not check whether .*tiny-bert changed .*using the cached copy\.$/)]);
		expect(maxAbsError(offline.analyses[0], cases[0])).toBeLessThanOrEqual(1e-4);
	} finally {
		fixtures.commit = previousCommit;
		fixtures.unreachable = false;
	}
});

function folderFiles(fixture: string): { path: string; bytes: number[] }[] {
	const root = join(FIXTURE_ROOT, fixture);
	const walk = (dir: string): string[] =>
		readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? walk(join(dir, name)) : [join(dir, name)]));
	// Paths as the folder picker gives them: prefixed with the picked folder's name.
	return walk(root).map((path) => ({ path: `${fixture}/${relative(root, path)}`, bytes: Array.from(readFileSync(path)) }));
}

test('a local model folder (external weights included) loads through the same loader', async ({ page, fixtures }) => {
	const cases = referenceCases('tiny-llama-external');
	const before = fixtures.requests.length;
	const run = await page.evaluate(
		async ({ files, text }) => {
			const harness = window.engineHarness;
			if (!harness) throw new Error('The engine harness is not on the page.');
			const engine = new harness.EngineClient();
			try {
				const local = files.map((f) => ({ path: f.path, file: new Blob([new Uint8Array(f.bytes)]) }));
				const progress: FileProgress[] = [];
				const info: ModelInfo = await engine.load({ kind: 'files', files: local }, { backend: 'wasm' }, (p) => progress.push(p));
				const result = await engine.analyse(text);
				const { layers, heads, queries, keys } = result.attention.shape;
				const data: number[] = [];
				for (let layer = 0; layer < layers; layer++) for (const value of (await result.attention.layer(layer)).data) data.push(value);
				return {
					info,
					progress,
					analysis: { tokens: result.tokens, backend: result.backend, shape: [layers, heads, queries, keys], data, notices: [] }
				};
			} finally {
				engine.dispose();
			}
		},
		{ files: folderFiles('tiny-llama-external'), text: cases[0].text }
	);
	expect(fixtures.requests.slice(before)).toEqual([]);
	expect(run.info).toMatchObject({ name: 'local:tiny-llama-external', backend: 'wasm', layers: 2 });
	expect(run.progress.filter((p) => p.done).map((p) => p.file)).toEqual(expect.arrayContaining(['onnx/model.onnx', 'onnx/model.onnx_data']));
	expect(run.analysis.tokens.map((t) => t.id)).toEqual(cases[0].input_ids);
	const error = maxAbsError(run.analysis, cases[0]);
	console.log(`local folder tiny-llama-external on wasm: max |attention − reference| ${error.toExponential(2)}`);
	expect(error).toBeLessThanOrEqual(1e-4);
});

/**
 * Loads that must fail cleanly (issue 5), each after a working model was loaded: the error names what went wrong,
 * and the model loaded before still analyses text afterwards. Faults come from the fixture server's name prefixes.
 */
import { expect } from '@playwright/test';
import type { ModelSource } from '../src/lib/engine/protocol';
import { loadFailThenAnalyse, openHarness, type FailedLoad } from './support/engine-harness';
import { test } from './support/fixture-test';
import { FIXTURE_OWNER, type FixtureServer } from './support/fixture-server';
import { referenceCases } from './support/reference';

const WORKING = referenceCases('tiny-gpt2')[0];
const hub = (name: string): ModelSource => ({ kind: 'hub', id: `${FIXTURE_OWNER}/${name}` });

/** Loads tiny-gpt2, then `failing` (`attempts` times); each attempt is followed by an analysis. */
async function failAfterWorkingModel(page: Parameters<typeof openHarness>[0], fixtures: FixtureServer, failing: ModelSource, attempts = 1): Promise<FailedLoad[]> {
	await openHarness(page);
	return loadFailThenAnalyse(page, `${fixtures.origin}/`, hub('tiny-gpt2'), failing, WORKING.text, attempts);
}

function expectFailureKeepingModel(result: FailedLoad, code: string, message: RegExp): void {
	console.log(`${code}: ${result.message}`);
	expect(result.code).toBe(code);
	expect(result.message).toMatch(message);
	expect(result.idsAfter).toEqual(WORKING.input_ids);
}

test('an unknown Hub id is not-found', async ({ page, fixtures }) => {
	const [result] = await failAfterWorkingModel(page, fixtures, hub('no-such-model'));
	expectFailureKeepingModel(result, 'not-found', /no-such-model/);
});

test('a repo without ONNX files is no-onnx, naming the files looked for', async ({ page, fixtures }) => {
	const [result] = await failAfterWorkingModel(page, fixtures, hub('no-onnx'));
	expectFailureKeepingModel(result, 'no-onnx', /onnx\/model\.onnx/);
});

test('a vision model is "not a text model"', async ({ page, fixtures }) => {
	const [result] = await failAfterWorkingModel(page, fixtures, hub('tiny-vit-config'));
	expectFailureKeepingModel(result, 'not-text-model', /not a text model.*ViTForImageClassification/);
});

test('a model over the memory budget is refused with its size, before its download', async ({ page, fixtures }) => {
	const [result] = await failAfterWorkingModel(page, fixtures, hub('huge-tiny-gpt2'));
	expectFailureKeepingModel(result, 'too-large', /68\.7 GB/);
	const onnxRequests = fixtures.requests.filter((r) => r.includes('huge-tiny-gpt2') && r.includes('.onnx'));
	expect(onnxRequests.length).toBeGreaterThan(0);
	expect(onnxRequests.every((r) => r.startsWith('HEAD '))).toBe(true);
});

test('a host that answers with an HTML page instead of JSON gets a clear error', async ({ page, fixtures }) => {
	const [result] = await failAfterWorkingModel(page, fixtures, hub('html-tiny-gpt2'));
	expectFailureKeepingModel(result, 'bad-file', /not valid JSON.*web page/);
});

test('a connection cut mid-download fails cleanly and a retry loads the model', async ({ page, fixtures }) => {
	const [cut, retry] = await failAfterWorkingModel(page, fixtures, hub('cut-tiny-llama'), 2);
	expectFailureKeepingModel(cut, 'network', /onnx\/model\.onnx broke off after \d+ of \d+ bytes/);
	expect(retry.code).toBe('ok');
	// The text is now analysed by tiny-llama, whose tokenizer adds <|begin_of_text|>.
	expect(retry.idsAfter).toEqual(referenceCases('tiny-llama')[0].input_ids);
});

/**
 * The page's model panel: a folder URL and a weights choice load that file, the cache lists what was downloaded
 * with sizes, and "Clear cached models" empties it; a model folder picked from disk loads with no request at all.
 */
import { resolve, sep } from 'node:path';
import { expect, test, type BrowserContext } from '@playwright/test';
import { LOAD_TIMEOUT, REFERENCE, exportAttention, maxDeviation, serveFixtures } from './page-fixtures';
import { FIXTURE_ROOT } from './support/fixture-server';

/** A host other than the app's (whose own models are left to the HTTP cache), answered from the fixtures. */
const FOREIGN_HOST = 'https://models.attnscope.test';

async function serveForeignFixtures(context: BrowserContext): Promise<void> {
	await context.route(`${FOREIGN_HOST}/**`, async (route) => {
		const path = resolve(FIXTURE_ROOT, decodeURIComponent(new URL(route.request().url()).pathname).replace(/^\/+/, ''));
		const headers = { 'Access-Control-Allow-Origin': '*', 'Cross-Origin-Resource-Policy': 'cross-origin' };
		if (!path.startsWith(FIXTURE_ROOT + sep)) return route.fulfill({ status: 404, headers });
		await route.fulfill({ path, headers }).catch(() => route.fulfill({ status: 404, headers }));
	});
}

test('Load model with a weights choice loads that file; cached models are listed and cleared', async ({ page }) => {
	test.slow();
	await serveForeignFixtures(page.context());
	const requested: string[] = [];
	page.context().on('request', (request) => requested.push(request.url()));
	await page.goto('/');
	const status = page.getByRole('status');
	await expect(status).toContainText('ready', { timeout: LOAD_TIMEOUT });

	await page.getByRole('combobox', { name: 'Backend' }).selectOption('wasm');
	await expect(status).toContainText('on WASM', { timeout: LOAD_TIMEOUT });
	await page.getByRole('textbox', { name: 'Model' }).fill(`${FOREIGN_HOST}/tiny-gpt2/`);
	await page.getByRole('combobox', { name: 'Weights' }).selectOption('q8');
	await page.getByRole('button', { name: 'Load model' }).click();
	await expect(status).toContainText(`ready: ${FOREIGN_HOST}/tiny-gpt2/ on WASM`, { timeout: LOAD_TIMEOUT });
	expect(requested).toContain(`${FOREIGN_HOST}/tiny-gpt2/onnx/model_quantized.onnx`);
	expect(requested).not.toContain(`${FOREIGN_HOST}/tiny-gpt2/onnx/model.onnx`);

	await page.getByText(/^Cached models/).click();
	const cache = page.locator('details.cache');
	await expect(cache).toContainText(/tiny-gpt2\/: \d+ files, [\d.]+ (kB|MB)/);
	await page.getByRole('button', { name: 'Clear cached models' }).click();
	await expect(cache).toContainText('Nothing cached.');
	await expect(cache).toContainText(/Cleared [\d.]+ (kB|MB)/);
});

test('Cancel during a download goes back to the model that was loaded', async ({ page }) => {
	test.slow();
	await serveFixtures(page.context());
	// Holds the ONNX file back, so the load is still downloading when Cancel is pressed.
	let release: () => void = () => undefined;
	const held = new Promise<void>((resolve) => (release = resolve));
	await page.context().route('**/test-fixtures/tiny-bert/onnx/model.onnx', async (route) => {
		await held;
		await route.fallback();
	});
	await page.goto('/');
	const status = page.getByRole('status');
	await expect(status).toContainText('ready', { timeout: LOAD_TIMEOUT });
	const loadedBefore = await status.textContent();

	await page.getByRole('textbox', { name: 'Model' }).fill('/test-fixtures/tiny-bert/');
	await page.getByRole('button', { name: 'Load model' }).click();
	await expect(status).toContainText('Loading model /test-fixtures/tiny-bert/');
	await page.getByRole('button', { name: 'Cancel' }).click();
	release();
	await expect(status).toContainText('ready', { timeout: LOAD_TIMEOUT });
	await expect(status).not.toContainText('tiny-bert');
	expect(loadedBefore).toMatch(/ready: .*attnscope-gpt2-kjv/);
	await expect(status).toContainText(/ready: .*attnscope-gpt2-kjv/);
	await expect(page.getByRole('button', { name: 'Cancel' })).toHaveCount(0);
});

test('a model folder picked from disk loads on the page with no request, and its link names the folder', async ({ page }) => {
	test.slow();
	await page.goto('/');
	const status = page.getByRole('status');
	await expect(status).toContainText('ready', { timeout: LOAD_TIMEOUT });
	await page.getByRole('combobox', { name: 'Backend' }).selectOption('wasm');
	await expect(status).toContainText('on WASM', { timeout: LOAD_TIMEOUT });
	await page.getByRole('textbox', { name: 'Text' }).fill(REFERENCE[0].text);

	const requested: string[] = [];
	page.context().on('request', (request) => requested.push(request.url()));
	await page.getByLabel(/Model folder from disk/).setInputFiles(resolve(FIXTURE_ROOT, 'tiny-gpt2'));
	await expect(status).toContainText('ready: local:tiny-gpt2 on WASM', { timeout: LOAD_TIMEOUT });
	await expect(page.getByRole('textbox', { name: 'Model' })).toHaveValue('local:tiny-gpt2');
	await expect(status).not.toContainText('analysing');
	expect(requested.filter((url) => !url.startsWith('blob:') && !url.startsWith('data:'))).toEqual([]);

	const exported = await exportAttention(page);
	expect(exported.model).toBe('local:tiny-gpt2');
	const error = maxDeviation(exported, REFERENCE[0]);
	console.log(`page folder tiny-gpt2 on wasm: max |attention − reference| ${error.toExponential(2)}`);
	expect(error).toBeLessThan(1e-4);
	expect(decodeURIComponent(page.url())).toContain('model=local:tiny-gpt2');
});

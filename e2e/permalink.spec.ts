/**
 * Permalinks in Chromium: a copied link restores the same state and numbers in a fresh browser context, and
 * malformed or hostile links leave a working page with a notice.
 */
import { expect, test } from '@playwright/test';
import { deflateText } from '../src/lib/permalink/compress';
import { BUNDLED_MODEL } from '../src/lib/models';
import { exportAttention, fixtureLink, FIXTURE_MODEL, LOAD_TIMEOUT, REFERENCE, serveFixtures, viewPixels, waitForAnalysis } from './page-fixtures';

test('a copied link opened in a new context restores the text, model, view, selection and identical numbers', async ({ browser }) => {
	test.setTimeout(3 * LOAD_TIMEOUT);
	const first = await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
	await serveFixtures(first);
	const page = await first.newPage();
	await page.goto(await fixtureLink({ text: 'placeholder' }));
	await waitForAnalysis(page);
	const text = `${REFERENCE[1].text} — «ünïcödé» 🙂`;
	await page.getByRole('textbox', { name: 'Text' }).fill(text);
	await waitForAnalysis(page);
	await page.getByRole('tab', { name: 'Heatmap' }).click();
	await page.getByRole('combobox', { name: 'Layer' }).selectOption('1');
	await page.getByRole('combobox', { name: 'Head' }).selectOption('3');
	await page.getByRole('button', { name: 'Copy link' }).click();
	await expect(page.getByRole('status')).toContainText('Link copied');
	const link = await page.evaluate(() => navigator.clipboard.readText());
	const original = await exportAttention(page);
	await first.close();

	const second = await browser.newContext();
	await serveFixtures(second);
	const restored = await second.newPage();
	await restored.goto(link);
	await waitForAnalysis(restored);
	await expect(restored.getByRole('textbox', { name: 'Text' })).toHaveValue(text);
	await expect(restored.getByRole('textbox', { name: 'Model' })).toHaveValue(FIXTURE_MODEL);
	await expect(restored.getByRole('tab', { name: 'Heatmap' })).toHaveAttribute('aria-selected', 'true');
	await expect(restored.getByRole('combobox', { name: 'Layer' })).toHaveValue('1');
	await expect(restored.getByRole('combobox', { name: 'Head' })).toHaveValue('3');
	await expect(restored.getByRole('status')).toContainText('on WASM');
	const again = await exportAttention(restored);
	expect(again.token_ids).toEqual(original.token_ids);
	expect(again.attention).toEqual(original.attention);
	await second.close();
});

interface MalformedCase {
	name: string;
	/** The fragment, with '#'. */
	fragment: () => Promise<string>;
	notice: RegExp;
}

/** A fragment for the fixture model on WASM, with some parameters replaced or added as raw strings. */
async function withRaw(raw: string): Promise<string> {
	return `${(await fixtureLink({ text: 'The fox and the dog' })).slice(1)}&${raw}`;
}

async function withText(payload: string): Promise<string> {
	return (await withRaw('x=1')).replace(/text=[^&]*/, `text=${payload}`).replace(/&x=1$/, '');
}

const MALFORMED: MalformedCase[] = [
	// First, so it is opened afresh: SvelteKit itself decodes the fragment while starting, after hooks.client.ts has
	// made the broken escapes literal; the notice quotes the bad view as written.
	{ name: 'broken percent-encoding', fragment: () => withRaw('view=%E0%A4%A&layer=%'), notice: /unknown view "%E0%A4%A"/ },
	{ name: 'bad base64', fragment: () => withText('%%%not-base64!!'), notice: /not valid base64url/ },
	{ name: 'truncated deflate', fragment: async () => withText((await deflateText('In the beginning God created the heaven')).slice(0, 12)), notice: /damaged or truncated/ },
	{ name: 'huge payload', fragment: () => withText('A'.repeat(100_000)), notice: /larger than 64 KB/ },
	{ name: 'empty text payload', fragment: () => withText(''), notice: /not valid base64url/ },
	{ name: 'unknown view', fragment: () => withRaw('view=matrix'), notice: /unknown view "matrix"/ },
	{ name: 'negative layer', fragment: () => withRaw('layer=-1'), notice: /layer "-1" is not a whole number/ },
	{ name: 'non-integer layer', fragment: () => withRaw('layer=1.5'), notice: /layer "1.5" is not a whole number/ },
	{ name: 'layer past the model', fragment: () => withRaw('layer=7'), notice: /Layer 7 does not exist \(the model has 2 layers/ },
	{ name: 'huge layer', fragment: () => withRaw(`layer=${'9'.repeat(300)}`), notice: /is too large/ },
	{ name: 'heads list garbage', fragment: () => withRaw('heads=1,two,,3'), notice: /head list "1,two,,3"/ },
	{ name: 'heads past the model', fragment: () => withRaw('heads=0,9'), notice: /Head 9 does not exist/ },
	{ name: 'heatmap head past the model', fragment: () => withRaw('view=heatmap&head=4'), notice: /Heatmap head 4 does not exist/ },
	{ name: 'heatmap head garbage', fragment: () => withRaw('view=heatmap&head=median'), notice: /heatmap head "median"/ },
	{ name: 'token past the text', fragment: () => withRaw('token=99'), notice: /Token 99 does not exist/ },
	{ name: 'rollout start past the model', fragment: () => withRaw('view=rollout&from=5'), notice: /Rollout start layer 5 does not exist/ },
	{ name: 'unknown pooling', fragment: () => withRaw('view=model&pool=median'), notice: /unknown thumbnail pooling/ },
	{ name: 'unknown parameter', fragment: () => withRaw('utm_source=mail'), notice: /ignored unknown parameter "utm_source"/ }
];

test('malformed links each give a notice and a working page', async ({ browser }) => {
	test.setTimeout(2 * LOAD_TIMEOUT + MALFORMED.length * 15_000);
	expect(MALFORMED.length).toBeGreaterThanOrEqual(15);
	const context = await browser.newContext();
	await serveFixtures(context);
	const page = await context.newPage();
	const errors: string[] = [];
	page.on('pageerror', (error) => errors.push(`${error.message} ${error.stack}`));
	for (const [index, malformed] of MALFORMED.entries()) {
		const fragment = await malformed.fragment();
		// The first opens the page afresh; the rest arrive as address changes (popstate), sparing a model load each.
		if (index === 0) await page.goto(`/${fragment}`);
		else await page.evaluate((hash) => (location.hash = hash), fragment);
		await expect(page.getByRole('status'), malformed.name).toContainText(malformed.notice);
		await waitForAnalysis(page);
		await expect(page.getByRole('status')).toContainText('on WASM');
		await expect.poll(async () => (await viewPixels(page)).drawn, { message: `${malformed.name}: the view draws` }).toBe(true);
	}
	expect(errors).toEqual([]);
	await context.close();
});

test('text from a link stays text, and a model from another host is only fetched once the visitor agrees', async ({ page }) => {
	test.setTimeout(2 * LOAD_TIMEOUT);
	const foreignRequests: string[] = [];
	await page.context().route('https://models.example.invalid/**', async (route) => {
		foreignRequests.push(route.request().url());
		await route.abort();
	});
	const hostile = '<img src=x onerror="window.__attnscopeXss=1"><script>window.__attnscopeXss=2</script>';
	await page.goto(await fixtureLink({ text: hostile, model: 'https://models.example.invalid/m/' }));

	const question = page.getByRole('alertdialog', { name: 'Download a model from models.example.invalid?' });
	await expect(question).toBeVisible();
	await expect(page.getByRole('button', { name: 'Download from models.example.invalid' })).toBeFocused();
	await expect(page.getByRole('textbox', { name: 'Text' })).toHaveValue(hostile);
	await page.waitForTimeout(500);
	expect(foreignRequests).toEqual([]);

	await page.getByRole('button', { name: 'Download from models.example.invalid' }).click();
	await expect(page.getByRole('status').locator('.error')).toBeVisible({ timeout: LOAD_TIMEOUT });
	expect(foreignRequests.length).toBeGreaterThan(0);
	await expect(page.locator('img[src="x"]')).toHaveCount(0);
	expect(await page.evaluate(() => 'attnscopeXss' in window)).toBe(false);

	await page.goto(`/#model=${encodeURIComponent('javascript:alert(1)')}`);
	await expect(page.getByRole('status')).toContainText(/neither a Hub id nor an http\(s\) URL/);
	await expect(page.getByRole('textbox', { name: 'Model' })).toHaveValue(BUNDLED_MODEL);
});

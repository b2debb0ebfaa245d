/**
 * The page in Chromium with the real engine: one session (one model load) walked through typing, the four views,
 * selection, export, history and the keyboard, plus the first visit with no link. Model loads dominate the time.
 */
import { expect, test, type Page } from '@playwright/test';
import type { EngineResponse } from '../src/lib/engine/protocol';
import { BUNDLED_MODEL, SAMPLE_TEXT } from '../src/lib/models';
import {
	exportAttention,
	fixtureLink,
	FIXTURE_MODEL,
	LOAD_TIMEOUT,
	maxDeviation,
	readDownload,
	REFERENCE,
	serveFixtures,
	viewPixels,
	waitForAnalysis
} from './page-fixtures';

const TABS = ['Head view', 'Model view', 'Heatmap', 'Rollout'] as const;

/** What an engine message carried, as recordAttentionMessages notes it. */
interface AttentionMessage {
	kind: 'result' | 'layer' | 'pooled' | 'rollout';
	/** A result's fields, and its attention's shape. */
	keys?: string[];
	shape?: { layers: number; heads: number; queries: number; keys: number };
	/** Float values in a read answer. */
	floats?: number;
}

declare global {
	interface Window {
		attentionMessages?: AttentionMessage[];
	}
}

/** Init script (runs before the app; uses nothing from this module): notes what the engine worker sends the page. */
function recordAttentionMessages(): void {
	const messages: AttentionMessage[] = [];
	window.attentionMessages = messages;
	const NativeWorker = window.Worker;
	window.Worker = class extends NativeWorker {
		constructor(url: string | URL, options?: WorkerOptions) {
			super(url, options);
			if (options?.name !== 'attnscope-engine') return;
			this.addEventListener('message', ({ data }: MessageEvent<EngineResponse>) => {
				if (data.type === 'result') messages.push({ kind: 'result', keys: Object.keys(data.result).sort(), shape: data.result.shape });
				if (data.type !== 'read') return;
				const { answer } = data;
				const floats =
					answer.kind === 'layer'
						? answer.attention.data.length
						: answer.kind === 'rollout'
							? answer.matrix.length
							: answer.pooled.matrices.reduce((sum, m) => sum + m.max.length + m.mean.length, 0);
				messages.push({ kind: answer.kind, floats });
			});
		}
	};
}

test('the first visit analyses the sample text with the bundled model', async ({ page }) => {
	test.setTimeout(3 * LOAD_TIMEOUT);
	await page.goto('/');
	await expect(page.getByRole('textbox', { name: 'Text' })).toHaveValue(SAMPLE_TEXT);
	await expect(page.getByRole('textbox', { name: 'Model' })).toHaveValue(BUNDLED_MODEL);
	const status = page.getByRole('status');
	// Fail at once, with the page's own message, when the bundled model is missing or broken.
	await expect(status.locator('.ready, .error').first()).toBeVisible({ timeout: LOAD_TIMEOUT });
	await expect(status.locator('.error')).toHaveCount(0);
	await waitForAnalysis(page);
	await expect(status).toContainText(/on (WebGPU|WASM)/);
	expect((await viewPixels(page)).drawn).toBe(true);
});

test.describe.serial('a session with the fixture model', () => {
	let page: Page;

	test.beforeAll(async ({ browser }) => {
		const context = await browser.newContext();
		await serveFixtures(context);
		await context.addInitScript(recordAttentionMessages);
		page = await context.newPage();
		await page.goto(await fixtureLink({ text: 'placeholder' }));
		await waitForAnalysis(page);
	});

	test.afterAll(async () => {
		await page.context().close();
	});

	test('pasted text is analysed and every view draws; the status names the backend', async () => {
		await page.getByRole('textbox', { name: 'Text' }).fill(REFERENCE[0].text);
		await waitForAnalysis(page);
		await expect(page.getByRole('status')).toContainText(`${FIXTURE_MODEL.replace(/\/$/, '')}/ on WASM`);
		await expect(page.getByRole('group', { name: 'Tokens' }).getByRole('button')).toHaveCount(REFERENCE[0].input_ids.length);
		for (const tab of TABS) {
			await page.getByRole('tab', { name: tab }).click();
			await expect(page.getByRole('tab', { name: tab })).toHaveAttribute('aria-selected', 'true');
			await expect.poll(async () => (await viewPixels(page)).drawn, { message: `${tab} draws` }).toBe(true);
		}
	});

	test('the JSON export equals the reference attention and the PNG export is an image', async () => {
		const exported = await exportAttention(page);
		expect(exported.format).toBe('attnscope.attention/v1');
		expect(exported.backend).toBe('wasm');
		expect(exported.model).toContain(FIXTURE_MODEL);
		expect(exported.shape).toEqual([2, 4, 5, 5]);
		expect(maxDeviation(exported, REFERENCE[0])).toBeLessThan(1e-4);
		// The rollout tab is open, so the rollout goes along.
		expect(exported.rollout).toHaveLength(5);
		expect(exported.rollout_start_layer).toBe(0);

		const downloaded = page.waitForEvent('download');
		await page.getByRole('button', { name: 'Download image (PNG)' }).click();
		const png = await readDownload(await downloaded);
		expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
	});

	test('the page holds one layer of attention, never the whole tensor', async () => {
		// Every view has been open (the tests above), and the export read every layer.
		const messages = await page.evaluate(() => window.attentionMessages ?? []);
		const kinds = new Set(messages.map((m) => m.kind));
		expect([...kinds].sort()).toEqual(['layer', 'pooled', 'result', 'rollout']);
		let shape: AttentionMessage['shape'];
		for (const message of messages) {
			if (message.kind === 'result') {
				expect(message.keys).toEqual(['backend', 'notices', 'shape', 'timings', 'tokens']);
				shape = message.shape;
			}
			// A layer answer is one layer of the result before it (2 layers × 4 heads here): half the tensor.
			if (message.kind === 'layer') expect(message.floats).toBe(shape ? shape.heads * shape.queries * shape.keys : NaN);
		}
		expect(shape).toEqual({ layers: 2, heads: 4, queries: 5, keys: 5 });
	});

	test('changing layer and head redraws the views', async () => {
		await page.getByRole('tab', { name: 'Heatmap' }).click();
		const before = await viewPixels(page);
		await page.getByRole('combobox', { name: 'Layer' }).selectOption('1');
		await expect.poll(async () => (await viewPixels(page)).digest).not.toBe(before.digest);
		const layerOne = await viewPixels(page);
		await page.getByRole('combobox', { name: 'Head' }).selectOption('2');
		await expect.poll(async () => (await viewPixels(page)).digest).not.toBe(layerOne.digest);

		await page.getByRole('tab', { name: 'Head view' }).click();
		await expect(page.getByRole('combobox', { name: 'Layer' })).toHaveValue('1');
		const allHeads = await viewPixels(page);
		await page.getByRole('button', { name: 'Head 0' }).click();
		await expect.poll(async () => (await viewPixels(page)).digest).not.toBe(allHeads.digest);

		await page.getByRole('tab', { name: 'Model view' }).click();
		const maxPooled = await viewPixels(page);
		expect(maxPooled.drawn).toBe(true);
		await page.getByRole('radio', { name: 'mean' }).check();
		await expect.poll(async () => (await viewPixels(page)).digest).not.toBe(maxPooled.digest);
		await page.getByRole('radio', { name: 'max' }).check();
		await expect.poll(async () => (await viewPixels(page)).digest).toBe(maxPooled.digest);
		await page.getByRole('tab', { name: 'Head view' }).click();
	});

	test('Back and Forward step through views and selections', async () => {
		// The page writes each history entry once the link is encoded (async): wait for it before the next step.
		const pushed = async (action: () => Promise<unknown>) => {
			const before = page.url();
			await action();
			await expect.poll(() => page.url()).not.toBe(before);
		};
		await pushed(() => page.getByRole('tab', { name: 'Model view' }).click());
		await pushed(() => page.getByRole('tab', { name: 'Heatmap' }).click());
		await pushed(() => page.getByRole('combobox', { name: 'Layer' }).selectOption('0'));
		await page.goBack();
		await expect(page.getByRole('combobox', { name: 'Layer' })).toHaveValue('1');
		await page.goBack();
		await expect(page.getByRole('tab', { name: 'Model view' })).toHaveAttribute('aria-selected', 'true');
		await page.goForward();
		await expect(page.getByRole('tab', { name: 'Heatmap' })).toHaveAttribute('aria-selected', 'true');
		await expect(page.getByRole('combobox', { name: 'Layer' })).toHaveValue('1');
		await expect(page.getByRole('combobox', { name: 'Head' })).toHaveValue('2');
		expect((await viewPixels(page)).drawn).toBe(true);
	});

	test('keyboard only: tabs with arrows, selects with arrows, buttons with Enter', async () => {
		await page.getByRole('textbox', { name: 'Text' }).focus();
		const focusedTab = page.locator('[role="tab"]:focus');
		for (let i = 0; i < 20 && (await focusedTab.count()) === 0; i++) await page.keyboard.press('Tab');
		await expect(focusedTab).toHaveText('Heatmap');
		await page.keyboard.press('ArrowRight');
		await expect(page.getByRole('tab', { name: 'Rollout' })).toBeFocused();
		await expect(page.getByRole('tab', { name: 'Rollout' })).toHaveAttribute('aria-selected', 'true');
		await page.keyboard.press('Home');
		await expect(page.getByRole('tab', { name: 'Head view' })).toHaveAttribute('aria-selected', 'true');
		await page.keyboard.press('ArrowLeft');
		await expect(page.getByRole('tab', { name: 'Rollout' })).toHaveAttribute('aria-selected', 'true');
		await page.keyboard.press('ArrowRight');
		await expect(page.getByRole('tab', { name: 'Head view' })).toBeFocused();

		const layer = page.getByRole('combobox', { name: 'Layer' });
		for (let i = 0; i < 20 && !(await layer.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
		await expect(layer).toBeFocused();
		const before = await layer.inputValue();
		await page.keyboard.press(before === '0' ? 'ArrowDown' : 'ArrowUp');
		await expect(layer).not.toHaveValue(before);

		const loadButton = page.getByRole('button', { name: 'Load model' });
		await loadButton.focus();
		await page.keyboard.press('Enter');
		await waitForAnalysis(page);
	});

	test('a new text of the same length redraws the model view exactly as its permalink draws it', async ({ browser }) => {
		await page.getByRole('tab', { name: 'Model view' }).click();
		await page.getByRole('textbox', { name: 'Text' }).fill(REFERENCE[0].text);
		await waitForAnalysis(page);
		const first = await viewPixels(page);
		const linkBefore = page.url();
		// The same five tokens in another order: same shape, so only the new pooled heads can change the picture.
		await page.getByRole('textbox', { name: 'Text' }).fill('The dog and the fox');
		await waitForAnalysis(page);
		await expect(page.getByRole('group', { name: 'Tokens' }).getByRole('button')).toHaveCount(REFERENCE[0].input_ids.length);
		await expect.poll(() => page.url()).not.toBe(linkBefore);

		const receiver = await browser.newContext();
		try {
			await serveFixtures(receiver);
			const fresh = await receiver.newPage();
			await fresh.goto(page.url());
			await waitForAnalysis(fresh);
			const expected = await viewPixels(fresh);
			expect(expected.digest).not.toBe(first.digest);
			await expect.poll(async () => (await viewPixels(page)).digest).toBe(expected.digest);
		} finally {
			await receiver.close();
		}
	});

	test('text longer than the context is truncated with a notice; empty text keeps the views', async () => {
		await page.getByRole('textbox', { name: 'Text' }).fill('the dog and the fox '.repeat(40));
		await expect(page.getByRole('status')).toContainText(/Kept 64 of \d+ tokens/);
		await waitForAnalysis(page);
		await page.getByRole('textbox', { name: 'Text' }).fill('');
		await expect(page.getByRole('status').locator('.error')).not.toBeEmpty();
		expect((await viewPixels(page)).drawn).toBe(true);
	});
});

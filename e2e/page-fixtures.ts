/**
 * Shared by the page and permalink specs: the fixture model served under the app's own origin (so links to it load
 * without the foreign-host question), links built with the app's own encoder, and readers for what the page shows.
 */
import { readFileSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { expect, type BrowserContext, type Download, type Page } from '@playwright/test';
import { encodePermalink } from '../src/lib/permalink/codec';
import { defaultState, type UrlState } from '../src/lib/permalink/state';
import type { AttentionJson } from '../src/lib/export/attention-json';

const FIXTURE_ROOT = resolve('tests/fixtures/models');
/** The fixture GPT-2 (2 layers × 4 heads, 64 positions) as the page sees it: a folder on this site. */
export const FIXTURE_MODEL = '/test-fixtures/tiny-gpt2/';
/** Model loads are the slow part here (tens of seconds on a busy CPU), WebGPU on SwiftShader even slower. */
export const LOAD_TIMEOUT = 120_000;

export interface ReferenceCase {
	text: string;
	input_ids: number[];
	attention: number[][][][];
}

export const REFERENCE: ReferenceCase[] = JSON.parse(readFileSync(join(FIXTURE_ROOT, 'tiny-gpt2', 'reference.json'), 'utf8')).cases;

/** Serves tests/fixtures/models/<name>/… at /test-fixtures/<name>/… for every page (and worker) of the context. */
export async function serveFixtures(context: BrowserContext): Promise<void> {
	await context.route('**/test-fixtures/**', async (route) => {
		const relative = decodeURIComponent(new URL(route.request().url()).pathname).replace(/^\/test-fixtures\//, '');
		const path = resolve(FIXTURE_ROOT, relative);
		if (!path.startsWith(FIXTURE_ROOT + sep)) return route.fulfill({ status: 404 });
		await route.fulfill({ path, headers: { 'Cross-Origin-Resource-Policy': 'same-origin' } }).catch(() => route.fulfill({ status: 404 }));
	});
}

/** A permalink to the fixture model on WASM (fast and exact) with the given state. */
export async function fixtureLink(state: Partial<UrlState>): Promise<string> {
	const { fragment } = await encodePermalink({ ...defaultState(), model: FIXTURE_MODEL, backend: 'wasm', ...state });
	return `/${fragment}`;
}

/** Waits until the model is ready and the latest text is analysed. */
export async function waitForAnalysis(page: Page): Promise<void> {
	const status = page.getByRole('status');
	await expect(status).toContainText('ready', { timeout: LOAD_TIMEOUT });
	await expect(status).not.toContainText('analysing');
	await expect(page.getByRole('tabpanel')).not.toContainText('Computing attention');
}

/** A digest of every canvas in the open view, and whether any of them shows more than one colour. */
export async function viewPixels(page: Page): Promise<{ digest: string; drawn: boolean }> {
	return page.getByRole('tabpanel').evaluate((panel) => {
		let hash = 0;
		let drawn = false;
		for (const canvas of panel.querySelectorAll('canvas')) {
			// What is on screen: a hidden canvas (the model view keeps one per pooling) does not count.
			if (canvas.width === 0 || canvas.height === 0 || canvas.hidden) continue;
			const pixels = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data;
			if (!pixels) continue;
			for (let i = 0; i < pixels.length; i += 4) {
				const rgba = (pixels[i] << 24) | (pixels[i + 1] << 16) | (pixels[i + 2] << 8) | pixels[i + 3];
				if (rgba !== ((pixels[0] << 24) | (pixels[1] << 16) | (pixels[2] << 8) | pixels[3])) drawn = true;
				hash = (Math.imul(hash, 31) + rgba) | 0;
			}
		}
		return { digest: hash.toString(16), drawn };
	});
}

export async function readDownload(download: Download): Promise<Buffer> {
	const path = await download.path();
	return readFileSync(path);
}

export async function exportAttention(page: Page): Promise<AttentionJson> {
	const downloaded = page.waitForEvent('download');
	await page.getByRole('button', { name: 'Download attention (JSON)' }).click();
	return JSON.parse((await readDownload(await downloaded)).toString('utf8'));
}

/** Largest |exported − reference| over all cells, after checking the shapes agree. */
export function maxDeviation(exported: AttentionJson, reference: ReferenceCase): number {
	expect(exported.token_ids).toEqual(reference.input_ids);
	const [layers, heads, size] = exported.shape;
	expect([layers, heads, size]).toEqual([reference.attention.length, reference.attention[0].length, reference.input_ids.length]);
	let worst = 0;
	for (let l = 0; l < layers; l++)
		for (let h = 0; h < heads; h++)
			for (let q = 0; q < size; q++)
				for (let k = 0; k < size; k++) {
					const value = exported.attention[l][h][q][k] ?? NaN;
					worst = Math.max(worst, Math.abs(value - reference.attention[l][h][q][k]));
				}
	return worst;
}

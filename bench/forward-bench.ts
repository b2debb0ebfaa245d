/** Drives the forward bench page (pages/forward.ts) from node. */
import type { Browser, Page } from '@playwright/test';
import type { BareOptions, CompareOptions } from './pages/forward';
import type { BareResult, CompareResult } from './pages/forward-protocol';

async function openForwardPage(browser: Browser, url: string, log: (line: string) => void): Promise<Page> {
	// A fresh context per measurement: nothing cached, no session or heap left over from the previous one.
	const context = await browser.newContext();
	const page = await context.newPage();
	page.on('console', (message) => log(message.text()));
	await page.goto(url);
	await page.waitForFunction(() => window.forwardBench !== undefined);
	return page;
}

/** The same model and feeds, patched and unpatched, on one backend (pages/forward-worker.ts). */
export async function compareForward(browser: Browser, origin: string, options: CompareOptions, log: (line: string) => void): Promise<CompareResult> {
	const page = await openForwardPage(browser, `${origin}/pages/forward.html`, log);
	try {
		return await page.evaluate((request) => {
			if (!window.forwardBench) throw new Error('The forward bench page did not load.');
			return window.forwardBench.compare(request);
		}, options);
	} finally {
		await page.context().close();
	}
}

/** A cold page that fetches the ONNX file, creates a plain session and runs it once (pages/bare-worker.ts). */
export async function bareColdStart(browser: Browser, origin: string, options: BareOptions, log: (line: string) => void): Promise<BareResult> {
	const query = encodeURIComponent(JSON.stringify(options));
	const page = await openForwardPage(browser, `${origin}/pages/forward.html?bare=${query}`, log);
	try {
		return await page.evaluate(() => {
			if (!window.forwardBench?.bare) throw new Error('The bare run did not start.');
			return window.forwardBench.bare;
		});
	} finally {
		await page.context().close();
	}
}

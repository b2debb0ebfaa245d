import { defineConfig } from '@playwright/test';

// Debian's Chromium, never a downloaded browser. --enable-unsafe-webgpu gives headless Chromium a real
// (SwiftShader) WebGPU adapter on http://127.0.0.1, so the WebGPU path is tested too.
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const chromiumArgs = [
	'--enable-unsafe-webgpu',
	'--no-sandbox',
	'--disable-background-networking',
	'--disable-component-update',
	'--no-first-run',
	'--disable-sync'
];

export default defineConfig({
	testDir: 'e2e',
	timeout: 120_000,
	expect: { timeout: 30_000 },
	fullyParallel: false,
	workers: 1,
	reporter: [['list']],
	use: {
		baseURL: 'http://127.0.0.1:4173',
		browserName: 'chromium',
		launchOptions: { executablePath: chromium, args: chromiumArgs }
	},
	webServer: {
		command: 'npx vite preview --host 127.0.0.1 --port 4173 --strictPort',
		url: 'http://127.0.0.1:4173',
		reuseExistingServer: !process.env.CI,
		timeout: 60_000
	}
});

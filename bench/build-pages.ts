/**
 * Builds the bench pages (bench/pages/<name>.html) with Vite, importing app code through the same `$lib` alias the
 * app uses. They are served by bench/static-server.ts, never shipped with the app.
 */
import { build } from 'vite';
import { fromRoot } from './paths';

const PAGES = fromRoot('bench', 'pages');

export type BenchPage = 'rollout' | 'forward';

/** Writes `<outDir>/<page>.html` and its assets for each page. */
export async function buildBenchPages(pages: readonly BenchPage[], outDir: string): Promise<void> {
	await build({
		configFile: false,
		root: PAGES,
		base: './',
		logLevel: 'warn',
		resolve: { alias: { $lib: fromRoot('src', 'lib') } },
		worker: { format: 'es' },
		build: {
			outDir,
			emptyOutDir: true,
			target: 'esnext',
			// Several MB of onnxruntime-web are expected here.
			chunkSizeWarningLimit: 10_000,
			rollupOptions: { input: Object.fromEntries(pages.map((page) => [page, `${PAGES}/${page}.html`])) }
		}
	});
}

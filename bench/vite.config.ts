/**
 * Builds bench/run.ts for node (`npm run bench`); the runner builds the bench pages itself (build-pages.ts).
 * Packages stay external and load from node_modules.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
	root,
	logLevel: 'warn',
	resolve: { alias: { $lib: `${root}src/lib` } },
	build: {
		ssr: 'bench/run.ts',
		outDir: 'bench/.build/runner',
		emptyOutDir: true,
		target: 'node20',
		rollupOptions: { output: { entryFileNames: 'run.js' } }
	}
});

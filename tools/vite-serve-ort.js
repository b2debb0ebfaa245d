import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';

/**
 * Copies onnxruntime-web's wasm binaries (and their .mjs glue) into static/ort/ so the app serves them itself:
 * no CDN request, and always the same version as the bundled JS (there is one onnxruntime-web in node_modules).
 * @returns {import('vite').Plugin}
 */
export function serveOrtWasm() {
	return {
		name: 'attnscope-serve-ort-wasm',
		buildStart() {
			const require = createRequire(import.meta.url);
			const dist = dirname(require.resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm'));
			const target = join(process.cwd(), 'static', 'ort');
			mkdirSync(target, { recursive: true });
			for (const file of readdirSync(dist)) {
				if (/^ort-wasm-simd-threaded(\.asyncify)?\.(wasm|mjs)$/.test(file)) copyFileSync(join(dist, file), join(target, file));
			}
		}
	};
}

/**
 * Drops the copy of onnxruntime-web's wasm that vite emits next to the worker bundle (found through the library's
 * own `new URL(…, import.meta.url)`): the engine points onnxruntime at /ort/ (serveOrtWasm), so that copy is never
 * fetched and would only add 27 MB to the deployment.
 * @returns {import('vite').Plugin}
 */
export function dropWorkerOrtWasm() {
	return {
		name: 'attnscope-drop-worker-ort-wasm',
		generateBundle(_options, bundle) {
			for (const [fileName, output] of Object.entries(bundle)) {
				if (output.type === 'asset' && /ort-wasm[^/]*\.wasm$/.test(fileName)) delete bundle[fileName];
			}
		}
	};
}

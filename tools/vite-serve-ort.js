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

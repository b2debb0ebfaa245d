import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';
import { dropWorkerOrtWasm, serveOrtWasm } from './tools/vite-serve-ort.js';

// Cross-origin isolation lets onnxruntime-web use WASM threads (SharedArrayBuffer).
const isolationHeaders = {
	'Cross-Origin-Opener-Policy': 'same-origin',
	'Cross-Origin-Embedder-Policy': 'require-corp'
};

export default defineConfig({
	plugins: [serveOrtWasm(), sveltekit()],
	server: { headers: isolationHeaders },
	preview: { headers: isolationHeaders },
	worker: { format: 'es', plugins: () => [dropWorkerOrtWasm()] },
	optimizeDeps: { exclude: ['onnxruntime-web', '@huggingface/transformers'] },
	test: {
		include: ['src/**/*.test.ts', 'tests/**/*.test.ts', 'bench/**/*.test.ts'],
		environment: 'node'
	}
});

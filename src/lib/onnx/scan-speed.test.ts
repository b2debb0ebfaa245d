/** How long scanning takes when most of the file is weights: they must be skipped by length, never read. */
import { expect, it } from 'vitest';
import { scanModel } from './graph';
import { patchModelForAttention } from './patch';
import { encodeModel } from './testing/build-model';
import { LLAMA, buildAttentionGraph } from './testing/models';

const TENSORS = 400;
const TENSOR_BYTES = 256 * 1024; // 400 × 256 KiB = 100 MiB, about as many tensors as a 0.5B-parameter model has

it('scans a model with 100 MB of weights without touching them (prints the time)', { timeout: 60_000 }, () => {
	const graph = buildAttentionGraph({ layers: 24, style: LLAMA });
	for (let i = 0; i < TENSORS; i++) {
		// 0xff bytes are not valid protobuf: a scanner that parsed them would fail.
		const data = new Uint8Array(TENSOR_BYTES).fill(0xff);
		graph.initializers?.push({ name: `padding.${i}`, elemType: 1, dims: [TENSOR_BYTES / 4], data });
	}
	const bytes = encodeModel(graph);
	const megabytes = (bytes.length / 1e6).toFixed(0);

	const timeScan = () => {
		const start = performance.now();
		scanModel(bytes);
		return performance.now() - start;
	};
	// The first scan includes compiling the scanner; later ones are what a warm worker sees.
	const firstMs = timeScan();
	// Best and median: on a busy machine the median also measures other processes and GC pauses.
	const warm = Array.from({ length: 11 }, timeScan).sort((a, b) => a - b);

	const patchStart = performance.now();
	const patched = patchModelForAttention(bytes);
	const patchMs = performance.now() - patchStart;

	const shape = `${graph.nodes.length} nodes, ${graph.initializers?.length} initializers`;
	const ms = (value: number) => `${value.toFixed(1)} ms`;
	const figures = `best ${ms(warm[0])}, median ${ms(warm[5])} of 11; first scan ${ms(firstMs)}`;
	console.log(`scan of ${megabytes} MB model (${shape}): ${figures}`);
	// Dominated by allocating the new file: one copy, whose cost depends on how fast the OS hands out fresh pages.
	console.log(`patch of ${megabytes} MB model (scan + detect + one copy of the file): ${patchMs.toFixed(0)} ms`);
	expect(bytes.length).toBeGreaterThan(100e6);
	expect(patched.outputs).toHaveLength(24);
});

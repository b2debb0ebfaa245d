/**
 * Bench page: attention rollout on WebGPU (rollout-gpu.ts) against the CPU (rollout.ts) on a seeded synthetic
 * tensor, for bench/run.ts (timings) and e2e/rollout-gpu.spec.ts (equality).
 */
import { attentionRollout } from '$lib/analysis/rollout';
import { computeRollout, rolloutBackend, type RolloutBackend } from '$lib/analysis/rollout-gpu';
import { syntheticAttention } from '$lib/analysis/synthetic';

export interface RolloutRequest {
	layers: number;
	heads: number;
	tokens: number;
	seed: number;
	/** Timed runs of each implementation. */
	runs: number;
	/** One untimed run of each first: creates the device, compiles the pipelines, lets the JIT see the CPU loops. */
	warmUp: boolean;
}

export interface RolloutComparison {
	backend: RolloutBackend;
	/** Largest |GPU − CPU| over the S × S result. */
	maxAbsError: number;
	gpuMs: number[];
	cpuMs: number[];
}

async function timed<T>(work: () => T | Promise<T>): Promise<{ value: T; ms: number }> {
	const started = performance.now();
	const value = await work();
	return { value, ms: performance.now() - started };
}

function maxAbsDifference(a: Float32Array, b: Float32Array): number {
	if (a.length !== b.length) throw new Error(`results differ in size: ${a.length} and ${b.length}`);
	let max = 0;
	for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
	return max;
}

async function compareRollouts({ layers, heads, tokens, seed, runs, warmUp }: RolloutRequest): Promise<RolloutComparison> {
	// Causal like the decoders the bench runs; the tensor generator is the one the unit tests use.
	const attention = syntheticAttention(layers, heads, tokens, { causal: true, seed });
	let gpu = warmUp ? await computeRollout(attention) : undefined;
	let cpu = warmUp ? attentionRollout(attention) : undefined;
	const gpuMs: number[] = [];
	const cpuMs: number[] = [];
	// Interleaved, so load from other processes affects both alike.
	for (let run = 0; run < runs; run++) {
		const onGpu = await timed(() => computeRollout(attention));
		const onCpu = await timed(() => attentionRollout(attention));
		gpu = onGpu.value;
		cpu = onCpu.value;
		gpuMs.push(onGpu.ms);
		cpuMs.push(onCpu.ms);
	}
	if (!gpu || !cpu) throw new Error('Nothing was computed: ask for a warm-up or at least one run.');
	return { backend: await rolloutBackend(), maxAbsError: maxAbsDifference(gpu, cpu), gpuMs, cpuMs };
}

export interface RolloutBench {
	compare(request: RolloutRequest): Promise<RolloutComparison>;
}

declare global {
	interface Window {
		rolloutBench?: RolloutBench;
	}
}

window.rolloutBench = { compare: compareRollouts };

import type { AttentionTensor } from '$lib/attention';

/** Deterministic PRNG (mulberry32) so synthetic tensors are reproducible across runs and machines. */
export function seededRandom(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let x = state;
		x = Math.imul(x ^ (x >>> 15), x | 1);
		x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
		return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
	};
}

export interface SyntheticOptions {
	/** Mask keys after the query, as a decoder does. */
	causal?: boolean;
	seed?: number;
	/** Larger values give peakier rows. */
	sharpness?: number;
	/**
	 * Give heads the patterns trained models show (by head index mod 4: attend to the first token,
	 * to the previous token, to itself, or diffusely), instead of noise alone.
	 */
	patterned?: boolean;
}

/** Key that head `head` favours for `query` when patterned, or -1 for a diffuse head. */
function favouredKey(head: number, query: number): number {
	switch (head % 4) {
		case 0:
			return 0;
		case 1:
			return Math.max(0, query - 1);
		case 2:
			return query;
		default:
			return -1;
	}
}

const PATTERN_BONUS = 6;

/**
 * A random attention tensor whose rows are softmax distributions: for tests, benchmarks and
 * mounting the views without a model.
 */
export function syntheticAttention(
	layers: number,
	heads: number,
	tokens: number,
	{ causal = false, seed = 1, sharpness = 4, patterned = false }: SyntheticOptions = {}
): AttentionTensor {
	const random = seededRandom(seed);
	const data = new Float32Array(layers * heads * tokens * tokens);
	const logits = new Float64Array(tokens);
	for (let row = 0; row < layers * heads * tokens; row++) {
		const query = row % tokens;
		const favoured = patterned ? favouredKey(Math.floor(row / tokens) % heads, query) : -1;
		const visible = causal ? query + 1 : tokens;
		let max = -Infinity;
		for (let k = 0; k < visible; k++) {
			logits[k] = sharpness * random() + (k === favoured ? PATTERN_BONUS : 0);
			max = Math.max(max, logits[k]);
		}
		let sum = 0;
		for (let k = 0; k < visible; k++) {
			logits[k] = Math.exp(logits[k] - max);
			sum += logits[k];
		}
		for (let k = 0; k < visible; k++) data[row * tokens + k] = logits[k] / sum;
	}
	return { layers, heads, queries: tokens, keys: tokens, data };
}

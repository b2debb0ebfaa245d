/** Opacity levels lines are grouped into, so each group is one canvas path instead of one stroke per line. */
export const OPACITY_LEVELS = 64;

/** Lines of one head at one opacity: flattened (query, key) pairs. */
export interface LineBatch {
	head: number;
	opacity: number;
	pairs: number[];
}

export interface LineFilter {
	/** Keep only keys ≤ query, as a decoder's mask allows. */
	causal: boolean;
	/** Keep only lines leaving this query. */
	query?: number;
	/** Keep only lines arriving at this key. */
	key?: number;
}

/**
 * The head view's lines for one head's size × size matrix, opacity = weight quantised to
 * OPACITY_LEVELS. Weights under half a level (< 1/128) round to nothing and are skipped:
 * they would be invisible, and skipping them keeps 256-token inputs drawable in a frame.
 */
export function lineBatches(matrix: Float32Array, size: number, head: number, filter: LineFilter): LineBatch[] {
	const byLevel: number[][] = Array.from({ length: OPACITY_LEVELS + 1 }, () => []);
	const [q0, q1] = filter.query === undefined ? [0, size] : [filter.query, filter.query + 1];
	for (let q = q0; q < q1; q++) {
		const [k0, k1] = filter.key === undefined ? [0, filter.causal ? q + 1 : size] : [filter.key, filter.key + 1];
		for (let k = k0; k < k1; k++) {
			if (filter.causal && k > q) continue;
			const level = Math.min(OPACITY_LEVELS, Math.round(matrix[q * size + k] * OPACITY_LEVELS));
			if (level > 0) byLevel[level].push(q, k);
		}
	}
	const batches: LineBatch[] = [];
	byLevel.forEach((pairs, level) => {
		if (pairs.length > 0) batches.push({ head, opacity: level / OPACITY_LEVELS, pairs });
	});
	return batches;
}

import { headMatrix, type AttentionTensor } from '$lib/attention';

/** Which matrix of a layer to look at: one head, or the element-wise mean or max over all heads. */
export type HeadChoice = number | 'mean' | 'max';

/** How a thumbnail summarises a block of cells. */
export type Pooling = 'max' | 'mean';

/** Element-wise mean over the heads of one layer: a queries × keys matrix. */
export function headMean(t: AttentionTensor, layer: number): Float32Array {
	const size = t.queries * t.keys;
	// Accumulate in float64 so the mean does not depend on head order.
	const sum = new Float64Array(size);
	for (let head = 0; head < t.heads; head++) {
		const m = headMatrix(t, layer, head);
		for (let i = 0; i < size; i++) sum[i] += m[i];
	}
	const mean = new Float32Array(size);
	for (let i = 0; i < size; i++) mean[i] = sum[i] / t.heads;
	return mean;
}

/** Element-wise max over the heads of one layer: a queries × keys matrix. */
export function headMax(t: AttentionTensor, layer: number): Float32Array {
	const max = headMatrix(t, layer, 0).slice();
	for (let head = 1; head < t.heads; head++) {
		const m = headMatrix(t, layer, head);
		for (let i = 0; i < max.length; i++) if (m[i] > max[i]) max[i] = m[i];
	}
	return max;
}

/** The matrix a view shows for `choice` in `layer`; a single head is a view into the tensor, not a copy. */
export function layerMatrix(t: AttentionTensor, layer: number, choice: HeadChoice): Float32Array {
	if (choice === 'mean') return headMean(t, layer);
	if (choice === 'max') return headMax(t, layer);
	return headMatrix(t, layer, choice);
}

/** Largest value of a matrix (0 for an empty one), the top of a colour scale. */
export function matrixMax(m: Float32Array): number {
	let max = 0;
	for (let i = 0; i < m.length; i++) if (m[i] > max) max = m[i];
	return max;
}

/**
 * How much each input token contributes to `target`'s representation: row `target` of a square
 * `size` × `size` rollout matrix (a copy, so callers may keep it after the matrix is dropped).
 */
export function saliencyRow(rollout: Float32Array, size: number, target: number): Float32Array {
	if (!Number.isInteger(target) || target < 0 || target >= size) {
		throw new RangeError(`target token ${target} outside 0…${size - 1}`);
	}
	return rollout.slice(target * size, (target + 1) * size);
}

/** Start index of bin `bin` when `length` cells are split into `bins` contiguous, near-equal bins. */
function binStart(bin: number, length: number, bins: number): number {
	return Math.floor((bin * length) / bins);
}

/**
 * Downsample a rows × cols matrix to outRows × outCols by max or mean over contiguous blocks.
 * Every source cell falls in exactly one block; outRows ≤ rows and outCols ≤ cols are required
 * so that no block is empty (thumbnails never upsample here: the canvas scales up instead).
 */
export function poolMatrix(
	m: Float32Array,
	rows: number,
	cols: number,
	outRows: number,
	outCols: number,
	pooling: Pooling
): Float32Array {
	if (outRows < 1 || outCols < 1 || outRows > rows || outCols > cols) {
		throw new RangeError(`cannot pool ${rows}×${cols} to ${outRows}×${outCols}`);
	}
	const out = new Float32Array(outRows * outCols);
	for (let r = 0; r < outRows; r++) {
		const r0 = binStart(r, rows, outRows);
		const r1 = binStart(r + 1, rows, outRows);
		for (let c = 0; c < outCols; c++) {
			const c0 = binStart(c, cols, outCols);
			const c1 = binStart(c + 1, cols, outCols);
			let acc = pooling === 'max' ? -Infinity : 0;
			for (let i = r0; i < r1; i++) {
				const row = i * cols;
				for (let j = c0; j < c1; j++) {
					const v = m[row + j];
					if (pooling === 'max') {
						if (v > acc) acc = v;
					} else acc += v;
				}
			}
			out[r * outCols + c] = pooling === 'max' ? acc : acc / ((r1 - r0) * (c1 - c0));
		}
	}
	return out;
}

import { headMatrix, type AttentionTensor } from '$lib/attention';

/** Which matrix of a layer to look at: one head, or the element-wise mean or max over all heads. */
export type HeadChoice = number | 'mean' | 'max';

/** How a thumbnail summarises a block of cells. */
export const POOLINGS = ['max', 'mean'] as const;
export type Pooling = (typeof POOLINGS)[number];

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

/** For each of `length` cells, the index of the contiguous, near-equal bin (of `bins`) it falls in. */
function binIndices(length: number, bins: number): Int32Array {
	const bin = new Int32Array(length);
	for (let i = 0; i < length; i++) bin[i] = Math.floor((i * bins) / length);
	return bin;
}

/** A matrix pooled both ways, so a view can switch between them without another pass over the source. */
export type PooledMatrix = Record<Pooling, Float32Array>;

/**
 * Downsample a rows × cols matrix to outRows × outCols by max and by mean over contiguous blocks, in one
 * pass. Every source cell falls in exactly one block; outRows ≤ rows and outCols ≤ cols are required so
 * that no block is empty (thumbnails never upsample here: the canvas scales up instead). Max and sum are
 * separable, so columns are pooled within each row, then rows.
 */
export function poolMatrix(m: Float32Array, rows: number, cols: number, outRows: number, outCols: number): PooledMatrix {
	if (outRows < 1 || outCols < 1 || outRows > rows || outCols > cols) {
		throw new RangeError(`cannot pool ${rows}×${cols} to ${outRows}×${outCols}`);
	}
	const rowBin = binIndices(rows, outRows);
	const colBin = binIndices(cols, outCols);
	const max = new Float32Array(outRows * outCols).fill(-Infinity);
	const sums = new Float64Array(outRows * outCols);
	const rowMax = new Float32Array(outCols);
	const rowSum = new Float64Array(outCols);
	for (let i = 0; i < rows; i++) {
		rowMax.fill(-Infinity);
		rowSum.fill(0);
		const row = i * cols;
		for (let j = 0; j < cols; j++) {
			const v = m[row + j];
			const bin = colBin[j];
			if (v > rowMax[bin]) rowMax[bin] = v;
			rowSum[bin] += v;
		}
		const target = rowBin[i] * outCols;
		for (let c = 0; c < outCols; c++) {
			if (rowMax[c] > max[target + c]) max[target + c] = rowMax[c];
			sums[target + c] += rowSum[c];
		}
	}
	const rowCount = new Int32Array(outRows);
	const colCount = new Int32Array(outCols);
	rowBin.forEach((bin) => rowCount[bin]++);
	colBin.forEach((bin) => colCount[bin]++);
	const mean = new Float32Array(outRows * outCols);
	for (let r = 0; r < outRows; r++) {
		for (let c = 0; c < outCols; c++) mean[r * outCols + c] = sums[r * outCols + c] / (rowCount[r] * colCount[c]);
	}
	return { max, mean };
}

/** Every head pooled both ways to at most thumb × thumb, for the model view's thumbnails: the part that reads the whole tensor. */
export interface PooledHeads {
	layers: number;
	heads: number;
	/** Side the matrices were pooled to (≤ thumb; the input's own size when it has fewer tokens than pixels). */
	rows: number;
	cols: number;
	/** Layer-major: index layer × heads + head. */
	matrices: PooledMatrix[];
}

export function poolHeads(t: AttentionTensor, thumb: number): PooledHeads {
	const rows = Math.min(t.queries, thumb);
	const cols = Math.min(t.keys, thumb);
	const matrices: PooledMatrix[] = [];
	for (let layer = 0; layer < t.layers; layer++) {
		for (let head = 0; head < t.heads; head++) matrices.push(poolMatrix(headMatrix(t, layer, head), t.queries, t.keys, rows, cols));
	}
	return { layers: t.layers, heads: t.heads, rows, cols, matrices };
}

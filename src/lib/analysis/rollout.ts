import { headMatrix, type AttentionTensor } from '$lib/attention';

/**
 * Â = 0.5·mean_heads(A) + 0.5·I, each row renormalised to sum 1 (Abnar & Zuidema 2020, §3):
 * the identity stands in for the residual connection.
 */
export function residualAttention(t: AttentionTensor, layer: number): Float64Array {
	const size = t.queries;
	const a = new Float64Array(size * size);
	for (let head = 0; head < t.heads; head++) {
		const m = headMatrix(t, layer, head);
		for (let i = 0; i < a.length; i++) a[i] += m[i];
	}
	for (let q = 0; q < size; q++) {
		const row = q * size;
		let sum = 0;
		for (let k = 0; k < size; k++) {
			const v = (0.5 * a[row + k]) / t.heads + (q === k ? 0.5 : 0);
			a[row + k] = v;
			sum += v;
		}
		// A row of zeros (a fully masked query) still has the 0.5 identity term, so sum > 0.
		for (let k = 0; k < size; k++) a[row + k] /= sum;
	}
	return a;
}

/**
 * Attention rollout R = Â_last ⋯ Â_startLayer (layers 0-based), a queries × queries matrix:
 * R[i][j] is how much input token j flows into token i's representation after the last layer.
 * Products are accumulated in float64 and returned as float32.
 */
export function attentionRollout(t: AttentionTensor, startLayer = 0): Float32Array {
	if (t.queries !== t.keys) throw new RangeError('rollout needs square attention (queries = keys)');
	if (!Number.isInteger(startLayer) || startLayer < 0 || startLayer >= t.layers) {
		throw new RangeError(`start layer ${startLayer} outside 0…${t.layers - 1}`);
	}
	const size = t.queries;
	let product = residualAttention(t, startLayer);
	for (let layer = startLayer + 1; layer < t.layers; layer++) {
		product = multiply(residualAttention(t, layer), product, size);
	}
	return Float32Array.from(product);
}

/**
 * left × right for square size × size matrices. Zeros cost nothing: a zero in `left` skips a row of
 * `right`, and each row of `right` is read only up to its last non-zero. Causal (lower-triangular)
 * attention makes both common, which cuts the work about threefold.
 */
function multiply(left: Float64Array, right: Float64Array, size: number): Float64Array {
	const rowEnd = new Int32Array(size);
	for (let k = 0; k < size; k++) {
		let end = size;
		while (end > 0 && right[k * size + end - 1] === 0) end--;
		rowEnd[k] = end;
	}
	const out = new Float64Array(size * size);
	for (let i = 0; i < size; i++) {
		const outRow = i * size;
		for (let k = 0; k < size; k++) {
			const weight = left[outRow + k];
			if (weight === 0) continue;
			const rightRow = k * size;
			const end = rowEnd[k];
			for (let j = 0; j < end; j++) out[outRow + j] += weight * right[rightRow + j];
		}
	}
	return out;
}

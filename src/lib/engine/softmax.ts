/**
 * Row softmax for fused attention ops that expose only their pre-softmax scores (com.microsoft
 * MultiHeadAttention's fourth output): the probabilities are softmax over each row of keys, as the op computes.
 */
export function softmaxRowsInPlace(scores: Float32Array, rowLength: number): void {
	for (let start = 0; start < scores.length; start += rowLength) {
		const end = start + rowLength;
		let max = -Infinity;
		for (let i = start; i < end; i++) max = Math.max(max, scores[i]);
		let sum = 0;
		for (let i = start; i < end; i++) {
			// Subtracting the row maximum keeps exp finite; masked keys (≈ -10000) become exactly 0.
			const e = Math.exp(scores[i] - max);
			scores[i] = e;
			sum += e;
		}
		for (let i = start; i < end; i++) scores[i] /= sum;
	}
}

import { describe, expect, it } from 'vitest';
import { OPACITY_LEVELS, lineBatches, type LineBatch } from './headLines';

// 3 × 3: query 0 → [.5 .5 0], query 1 → [.001 .999 0], query 2 → [.25 .25 .5]
const m = Float32Array.of(0.5, 0.5, 0, 0.001, 0.999, 0, 0.25, 0.25, 0.5);

function lines(batches: LineBatch[]): string[] {
	return batches.flatMap((b) => {
		const out: string[] = [];
		for (let i = 0; i < b.pairs.length; i += 2) out.push(`${b.pairs[i]}→${b.pairs[i + 1]}@${b.opacity}`);
		return out;
	}).sort();
}

describe('lineBatches', () => {
	it('quantises opacity to the weight and skips invisible lines', () => {
		expect(lines(lineBatches(m, 3, 0, { causal: false }))).toEqual(
			['0→0@0.5', '0→1@0.5', '1→1@1', '2→0@0.25', '2→1@0.25', '2→2@0.5'].sort()
		);
	});

	it('groups lines of equal opacity into one batch tagged with the head', () => {
		const batches = lineBatches(m, 3, 4, { causal: false });
		expect(batches.every((b) => b.head === 4)).toBe(true);
		expect(new Set(batches.map((b) => b.opacity)).size).toBe(batches.length);
		expect(batches.find((b) => b.opacity === 0.5)?.pairs.length).toBe(6);
	});

	it('draws no line above the diagonal for decoders, even where the matrix has weight', () => {
		const leaky = Float32Array.of(0.5, 0.5, 1, 1);
		expect(lines(lineBatches(leaky, 2, 0, { causal: true }))).toEqual(['0→0@0.5', '1→0@1', '1→1@1']);
		expect(lines(lineBatches(leaky, 2, 0, { causal: true, key: 1 }))).toEqual(['1→1@1']);
	});

	it('isolates one query or one key', () => {
		expect(lines(lineBatches(m, 3, 0, { causal: false, query: 2 }))).toEqual(['2→0@0.25', '2→1@0.25', '2→2@0.5']);
		expect(lines(lineBatches(m, 3, 0, { causal: false, key: 0 }))).toEqual(['0→0@0.5', '2→0@0.25']);
	});

	it('caps opacity at 1 and keeps weights just above the threshold', () => {
		const edge = Float32Array.of(1.2, 0.5 / OPACITY_LEVELS + 1e-4, 0.4 / OPACITY_LEVELS, 0);
		expect(lines(lineBatches(edge, 2, 0, { causal: false }))).toEqual([`0→0@1`, `0→1@${1 / OPACITY_LEVELS}`]);
	});
});

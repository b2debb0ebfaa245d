import { describe, expect, it } from 'vitest';
import type { AttentionTensor } from '$lib/attention';
import { poolHeads } from '$lib/analysis/aggregate';
import { sequentialColour } from '$lib/analysis/colour';
import { syntheticAttention } from '$lib/analysis/synthetic';
import { thumbnailAtlas } from './thumbnails';

const background = [1, 2, 3] as const;

function pixel(atlas: { width: number; pixels: Uint8ClampedArray }, x: number, y: number): number[] {
	const i = (y * atlas.width + x) * 4;
	return Array.from(atlas.pixels.slice(i, i + 4));
}

describe('thumbnailAtlas', () => {
	it('lays out layers as rows and heads as columns with background-coloured gaps', () => {
		const t = syntheticAttention(2, 3, 8, { seed: 2 });
		const atlas = thumbnailAtlas(poolHeads(t, 4), 'max', { thumb: 4, gap: 1 }, 'light', background);
		expect(atlas.width).toBe(3 * 5 - 1);
		expect(atlas.height).toBe(2 * 5 - 1);
		expect([atlas.pooledRows, atlas.pooledCols]).toEqual([4, 4]);
		expect(pixel(atlas, 4, 0)).toEqual([1, 2, 3, 255]);
		expect(pixel(atlas, 0, 4)).toEqual([1, 2, 3, 255]);
	});

	it('colours each head against its own maximum, and pools by the chosen method', () => {
		// One layer, two heads, 4 tokens: head 0 is weak (max 0.1), head 1 has one strong cell.
		const data = new Float32Array(2 * 16);
		data[5] = 0.1; // head 0, query 1, key 1
		data[16 + 15] = 1; // head 1, query 3, key 3
		const t: AttentionTensor = { layers: 1, heads: 2, queries: 4, keys: 4, data };
		const top = [...sequentialColour(1, 1, 'dark'), 255];
		const max = thumbnailAtlas(poolHeads(t, 2), 'max', { thumb: 2, gap: 0 }, 'dark', background);
		expect(pixel(max, 0, 0)).toEqual(top); // head 0's 0.1 is its own maximum
		expect(pixel(max, 3, 1)).toEqual(top);
		const mean = thumbnailAtlas(poolHeads(t, 2), 'mean', { thumb: 2, gap: 0 }, 'dark', background);
		expect(pixel(mean, 0, 0)).toEqual(top); // the block mean 0.025 is still head 0's largest
		expect(pixel(mean, 1, 1)).toEqual([...sequentialColour(0, 1, 'dark'), 255]);
	});

	it('scales short inputs up by nearest neighbour instead of pooling', () => {
		const data = Float32Array.of(1, 0, 0, 1);
		const t: AttentionTensor = { layers: 1, heads: 1, queries: 2, keys: 2, data };
		const atlas = thumbnailAtlas(poolHeads(t, 4), 'mean', { thumb: 4, gap: 0 }, 'light', background);
		expect([atlas.pooledRows, atlas.pooledCols]).toEqual([2, 2]);
		const high = [...sequentialColour(1, 1, 'light'), 255];
		const low = [...sequentialColour(0, 1, 'light'), 255];
		expect([pixel(atlas, 0, 0), pixel(atlas, 1, 1), pixel(atlas, 2, 1), pixel(atlas, 3, 3)]).toEqual([high, high, low, high]);
	});

	it('gives every pooled cell the colour of its value on its head’s own scale', () => {
		const t = syntheticAttention(2, 3, 12, { seed: 7 });
		const pooled = poolHeads(t, 6);
		const atlas = thumbnailAtlas(pooled, 'mean', { thumb: 6, gap: 2 }, 'light', background);
		for (let layer = 0; layer < 2; layer++) {
			for (let head = 0; head < 3; head++) {
				const values = pooled.matrices[layer * 3 + head].mean;
				const max = Math.max(...values);
				for (let cell = 0; cell < values.length; cell++) {
					const [row, col] = [Math.floor(cell / 6), cell % 6];
					const expected = [...sequentialColour(values[cell], max, 'light'), 255];
					expect(pixel(atlas, head * 8 + col, layer * 8 + row)).toEqual(expected);
				}
			}
		}
	});
});

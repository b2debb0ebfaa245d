import { matrixMax, type PooledHeads, type Pooling } from '$lib/analysis/aggregate';
import { SCALE_STEPS, sequentialLut, type Rgb, type Theme } from '$lib/analysis/colour';

/** Where the model view's thumbnails sit, in device pixels. */
export interface AtlasGeometry {
	/** Side of one thumbnail. */
	thumb: number;
	/** Space between thumbnails. */
	gap: number;
}

export interface Atlas {
	width: number;
	height: number;
	/** RGBA, ready for ImageData. */
	pixels: Uint8ClampedArray<ArrayBuffer>;
	/** Side the matrices were pooled to before scaling to the thumbnail (≤ thumb). */
	pooledRows: number;
	pooledCols: number;
}

/**
 * Every head of every layer (rows = layers, columns = heads) as one RGBA image: each head's pooled
 * matrix coloured from 0 to that head's own maximum so weak heads still show their pattern, scaled up
 * by nearest neighbour when the input has fewer tokens than pixels. Cheap: it only colours pooled cells.
 */
export function thumbnailAtlas(
	pooled: PooledHeads,
	pooling: Pooling,
	{ thumb, gap }: AtlasGeometry,
	theme: Theme,
	background: Rgb
): Atlas {
	const { rows: pooledRows, cols: pooledCols } = pooled;
	if (pooledRows > thumb || pooledCols > thumb) throw new RangeError(`pooled ${pooledRows}×${pooledCols} does not fit ${thumb}px thumbnails`);
	const step = thumb + gap;
	const width = pooled.heads * step - gap;
	const height = pooled.layers * step - gap;
	const pixels = new Uint8ClampedArray(width * height * 4);
	const words = new Uint32Array(pixels.buffer);
	const bytes = sequentialLut(theme);
	const lut = new Uint32Array(bytes.buffer, bytes.byteOffset, SCALE_STEPS);
	// Gaps carry the page background so the exported PNG has no holes.
	words.fill(new Uint32Array(Uint8ClampedArray.of(...background, 255).buffer)[0]);
	// Which pooled row/column each thumbnail pixel shows.
	const sourceRow = new Int32Array(thumb);
	const sourceCol = new Int32Array(thumb);
	for (let i = 0; i < thumb; i++) {
		sourceRow[i] = Math.floor((i * pooledRows) / thumb);
		sourceCol[i] = Math.floor((i * pooledCols) / thumb);
	}
	const colours = new Uint32Array(pooledRows * pooledCols);
	for (let layer = 0; layer < pooled.layers; layer++) {
		for (let head = 0; head < pooled.heads; head++) {
			const values = pooled.matrices[layer * pooled.heads + head][pooling];
			const max = matrixMax(values);
			// scaleIndex's arithmetic inlined, for every pooled cell of every head: v ≤ max, so v × toIndex + 0.5 stays
			// below SCALE_STEPS and truncating it rounds (NaN and v ≤ 0 take index 0, as there).
			const toIndex = max > 0 ? (SCALE_STEPS - 1) / max : 0;
			for (let i = 0; i < values.length; i++) {
				const v = values[i];
				colours[i] = lut[v > 0 ? (v * toIndex + 0.5) | 0 : 0];
			}
			const origin = layer * step * width + head * step;
			for (let y = 0; y < thumb; y++) {
				const rowStart = origin + y * width;
				const source = sourceRow[y] * pooledCols;
				for (let x = 0; x < thumb; x++) words[rowStart + x] = colours[source + sourceCol[x]];
			}
		}
	}
	return { width, height, pixels, pooledRows, pooledCols };
}

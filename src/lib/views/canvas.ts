import { formatFloat32 } from '$lib/analysis/format';
import { SCALE_STEPS, scaleIndex, sequentialLut, textColourOn, type Theme } from '$lib/analysis/colour';
import type { CanvasPalette } from './theme.svelte';

export const LABEL_FONT = '12px system-ui, sans-serif';
export const SPECIAL_LABEL_FONT = 'italic 12px system-ui, sans-serif';
export const TITLE_FONT = '600 13px system-ui, sans-serif';

// Browsers refuse (or silently blank) canvases beyond these; long inputs lower the resolution instead.
const MAX_CANVAS_SIDE = 16384;
const MAX_CANVAS_AREA = 32 * 1024 * 1024;

/** Device pixels per CSS pixel for a canvas of this CSS size: the screen's ratio, lowered to fit browser limits. */
export function deviceScale(cssWidth: number, cssHeight: number): number {
	const screen = globalThis.devicePixelRatio || 1;
	const side = Math.max(cssWidth, cssHeight, 1);
	const area = Math.max(cssWidth * cssHeight, 1);
	return Math.min(screen, MAX_CANVAS_SIDE / side, Math.sqrt(MAX_CANVAS_AREA / area));
}

function context2d(canvas: OffscreenCanvas): OffscreenCanvasRenderingContext2D {
	const ctx = canvas.getContext('2d');
	if (!ctx) throw new Error('This browser cannot draw on a 2D canvas');
	return ctx;
}

/**
 * Size `canvas` to cssWidth × cssHeight (resizing only when needed, since that is slow), clear it,
 * and return a context that draws in CSS pixels.
 */
export function prepareCanvas(canvas: HTMLCanvasElement, cssWidth: number, cssHeight: number): CanvasRenderingContext2D {
	const scale = deviceScale(cssWidth, cssHeight);
	const width = Math.max(1, Math.round(cssWidth * scale));
	const height = Math.max(1, Math.round(cssHeight * scale));
	if (canvas.width !== width || canvas.height !== height) {
		canvas.width = width;
		canvas.height = height;
	}
	canvas.style.width = `${cssWidth}px`;
	canvas.style.height = `${cssHeight}px`;
	const ctx = canvas.getContext('2d');
	if (!ctx) throw new Error('This browser cannot draw on a 2D canvas');
	ctx.setTransform(1, 0, 0, 1, 0, 0);
	ctx.clearRect(0, 0, width, height);
	ctx.setTransform(width / cssWidth, 0, 0, height / cssHeight, 0, 0);
	return ctx;
}

/** A new canvas for export, filled with the page background so the PNG reads the same outside the page. */
export function exportCanvas(cssWidth: number, cssHeight: number, palette: CanvasPalette): CanvasRenderingContext2D {
	const ctx = prepareCanvas(document.createElement('canvas'), cssWidth, cssHeight);
	ctx.fillStyle = palette.background;
	ctx.fillRect(0, 0, cssWidth, cssHeight);
	return ctx;
}

/** One pixel per cell, coloured on the 0…max sequential scale; draw it scaled up with smoothing off. */
export function matrixBitmap(matrix: Float32Array, rows: number, cols: number, max: number, theme: Theme): OffscreenCanvas {
	const image = new ImageData(cols, rows);
	// Write whole RGBA pixels at once: a Uint32 view of the lookup table (byte order matches on both sides).
	const bytes = sequentialLut(theme);
	const lut = new Uint32Array(bytes.buffer, bytes.byteOffset, SCALE_STEPS);
	const pixels = new Uint32Array(image.data.buffer);
	for (let i = 0; i < rows * cols; i++) pixels[i] = lut[scaleIndex(matrix[i], max)];
	const bitmap = new OffscreenCanvas(cols, rows);
	context2d(bitmap).putImageData(image, 0, 0);
	return bitmap;
}

/** `text` shortened with an ellipsis to fit maxWidth in the context's current font. */
export function fitText(ctx: CanvasRenderingContext2D, text: string, maxWidth: number): string {
	if (ctx.measureText(text).width <= maxWidth) return text;
	let end = text.length;
	while (end > 0 && ctx.measureText(text.slice(0, end) + '…').width > maxWidth) end--;
	return text.slice(0, end) + '…';
}

let measuringContext: OffscreenCanvasRenderingContext2D | undefined;

/** Width of the widest label in `font`, capped at maxWidth (labels beyond are ellipsised). */
export function widestLabel(labels: readonly string[], font: string, maxWidth: number): number {
	measuringContext ??= new OffscreenCanvas(1, 1).getContext('2d') ?? undefined;
	if (!measuringContext) return maxWidth;
	measuringContext.font = font;
	let widest = 0;
	for (const label of labels) {
		widest = Math.max(widest, measuringContext.measureText(label).width);
		if (widest >= maxWidth) return maxWidth;
	}
	return Math.ceil(widest);
}

export const LEGEND_HEIGHT = 34;

/** A colour bar from 0 to max with both numbers under it, `width` wide, LEGEND_HEIGHT tall. */
export function drawScaleLegend(
	ctx: CanvasRenderingContext2D,
	x: number,
	y: number,
	width: number,
	max: number,
	theme: Theme,
	palette: CanvasPalette
): void {
	const ramp = new Float32Array(SCALE_STEPS).map((_, i) => i);
	ctx.imageSmoothingEnabled = true;
	ctx.drawImage(matrixBitmap(ramp, 1, SCALE_STEPS, SCALE_STEPS - 1, theme), x, y + 2, width, 12);
	ctx.strokeStyle = palette.rule;
	ctx.lineWidth = 1;
	ctx.strokeRect(x + 0.5, y + 2.5, width - 1, 11);
	ctx.font = LABEL_FONT;
	ctx.fillStyle = palette.text;
	ctx.textBaseline = 'top';
	ctx.textAlign = 'left';
	ctx.fillText('0', x, y + 18);
	ctx.textAlign = 'right';
	ctx.fillText(formatFloat32(max), x + width, y + 18);
	ctx.textAlign = 'left';
}

export interface ChipLayout {
	boxes: { x: number; y: number; width: number }[];
	height: number;
}

const CHIP_HEIGHT = 18;
const CHIP_GAP = 3;
const CHIP_PADDING = 4;

/** Token chips flowed into lines of `width`, as the TokenStrip shows them: for drawing a strip onto an export. */
export function layoutChips(labels: readonly string[], width: number): ChipLayout {
	measuringContext ??= new OffscreenCanvas(1, 1).getContext('2d') ?? undefined;
	const ctx = measuringContext;
	if (ctx) ctx.font = LABEL_FONT;
	const boxes: ChipLayout['boxes'] = [];
	let x = 0;
	let y = 0;
	for (const label of labels) {
		const chipWidth = Math.min(width, Math.ceil((ctx?.measureText(label).width ?? 8 * label.length) + 2 * CHIP_PADDING));
		if (x > 0 && x + chipWidth > width) {
			x = 0;
			y += CHIP_HEIGHT + CHIP_GAP;
		}
		boxes.push({ x, y, width: chipWidth });
		x += chipWidth + CHIP_GAP;
	}
	return { boxes, height: labels.length ? y + CHIP_HEIGHT : 0 };
}

/** Draw chips laid out by layoutChips at (x, y), each filled with its weight's colour on the 0…max scale. */
export function drawChips(
	ctx: CanvasRenderingContext2D,
	layout: ChipLayout,
	labels: readonly string[],
	weights: Float32Array,
	origin: { x: number; y: number },
	theme: Theme,
	palette: CanvasPalette
): void {
	const max = weights.reduce((m, w) => Math.max(m, w), 0);
	const lut = sequentialLut(theme);
	ctx.font = LABEL_FONT;
	ctx.textBaseline = 'middle';
	layout.boxes.forEach((box, i) => {
		const c = scaleIndex(weights[i], max) * 4;
		const rgb = [lut[c], lut[c + 1], lut[c + 2]] as const;
		ctx.fillStyle = `rgb(${rgb.join(' ')})`;
		ctx.fillRect(origin.x + box.x, origin.y + box.y, box.width, CHIP_HEIGHT);
		ctx.strokeStyle = palette.rule;
		ctx.strokeRect(origin.x + box.x + 0.5, origin.y + box.y + 0.5, box.width - 1, CHIP_HEIGHT - 1);
		ctx.fillStyle = textColourOn(rgb);
		ctx.fillText(fitText(ctx, labels[i], box.width - 2 * CHIP_PADDING), origin.x + box.x + CHIP_PADDING, origin.y + box.y + CHIP_HEIGHT / 2);
	});
}

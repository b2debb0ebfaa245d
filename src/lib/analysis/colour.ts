/**
 * Colour scales for the views, as pure functions (no DOM) so they can be tested.
 * Interpolation happens in OKLab, where equal steps look equal.
 */

export type Theme = 'light' | 'dark';
/** sRGB channels, 0…255. */
export type Rgb = readonly [number, number, number];
export type Oklab = readonly [number, number, number];

function toLinear(channel: number): number {
	const c = channel / 255;
	return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

function fromLinear(c: number): number {
	const clamped = Math.min(1, Math.max(0, c));
	const v = clamped <= 0.0031308 ? 12.92 * clamped : 1.055 * clamped ** (1 / 2.4) - 0.055;
	return Math.round(v * 255);
}

export function rgbToOklab([r8, g8, b8]: Rgb): Oklab {
	const [r, g, b] = [toLinear(r8), toLinear(g8), toLinear(b8)];
	const l = Math.cbrt(0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b);
	const m = Math.cbrt(0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b);
	const s = Math.cbrt(0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b);
	return [
		0.2104542553 * l + 0.793617785 * m - 0.0040720468 * s,
		1.9779984951 * l - 2.428592205 * m + 0.4505937099 * s,
		0.0259040371 * l + 0.7827717662 * m - 0.808675766 * s
	];
}

export function oklabToRgb([lightness, a, b]: Oklab): Rgb {
	const l = (lightness + 0.3963377774 * a + 0.2158037573 * b) ** 3;
	const m = (lightness - 0.1055613458 * a - 0.0638541728 * b) ** 3;
	const s = (lightness - 0.0894841775 * a - 1.291485548 * b) ** 3;
	return [
		fromLinear(4.0767416621 * l - 3.3077115913 * m + 0.2309699292 * s),
		fromLinear(-1.2684380046 * l + 2.6097574011 * m - 0.3413193965 * s),
		fromLinear(-0.0041960863 * l - 0.7034186147 * m + 1.707614701 * s)
	];
}

export function hexToRgb(hex: string): Rgb {
	const n = Number.parseInt(hex.slice(1), 16);
	return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

export function rgbToHex(rgb: Rgb): string {
	return '#' + rgb.map((c) => c.toString(16).padStart(2, '0')).join('');
}

/*
 * Sequential stops. Light mode runs from near-white (low attention fades into the page) to navy
 * (ColorBrewer Blues); dark mode from near-black to pale yellow (matplotlib magma). Both have
 * monotonic lightness, so "more" always reads as "more contrast with the background".
 */
const SEQUENTIAL_STOPS: Record<Theme, string[]> = {
	light: ['#f7fbff', '#deebf7', '#c6dbef', '#9ecae1', '#6baed6', '#4292c6', '#2171b5', '#08519c', '#08306b'],
	dark: ['#000004', '#180f3e', '#451077', '#721f81', '#9f2f7f', '#cd4071', '#f1605d', '#fd9567', '#feca8d', '#fcfdbf']
};

/** Number of entries in a sequential lookup table. */
export const SCALE_STEPS = 256;

function mix(from: Oklab, to: Oklab, f: number): Oklab {
	return [from[0] + f * (to[0] - from[0]), from[1] + f * (to[1] - from[1]), from[2] + f * (to[2] - from[2])];
}

const lutCache = new Map<Theme, Uint8ClampedArray>();

/** RGBA lookup table of SCALE_STEPS entries (opaque), index 0 = lowest value; built once per theme. */
export function sequentialLut(theme: Theme): Uint8ClampedArray {
	const cached = lutCache.get(theme);
	if (cached) return cached;
	const stops = SEQUENTIAL_STOPS[theme].map((hex) => rgbToOklab(hexToRgb(hex)));
	const lut = new Uint8ClampedArray(SCALE_STEPS * 4);
	for (let i = 0; i < SCALE_STEPS; i++) {
		const position = (i / (SCALE_STEPS - 1)) * (stops.length - 1);
		const segment = Math.min(stops.length - 2, Math.floor(position));
		const rgb = oklabToRgb(mix(stops[segment], stops[segment + 1], position - segment));
		lut.set([rgb[0], rgb[1], rgb[2], 255], i * 4);
	}
	lutCache.set(theme, lut);
	return lut;
}

/** Lookup-table index for `value` on a 0…max scale; NaN, negatives and max ≤ 0 map to 0. */
export function scaleIndex(value: number, max: number): number {
	if (!(max > 0) || !(value > 0)) return 0;
	return Math.min(SCALE_STEPS - 1, Math.round((value / max) * (SCALE_STEPS - 1)));
}

/** Colour of `value` on a 0…max sequential scale. */
export function sequentialColour(value: number, max: number, theme: Theme): Rgb {
	const lut = sequentialLut(theme);
	const i = scaleIndex(value, max) * 4;
	return [lut[i], lut[i + 1], lut[i + 2]];
}

/** Black or white, whichever reads better on `background`. */
export function textColourOn(background: Rgb): string {
	return rgbToOklab(background)[0] > 0.62 ? '#000000' : '#ffffff';
}

/*
 * Per-head colours: greedy farthest-point picks in OKLab from in-gamut colours with lightness
 * 0.58…0.82, so every one stands out on both a white and a near-black page.
 */
const HEAD_PALETTE = [
	'#4e79a7', '#8fdf32', '#fea2dc', '#db2e1e', '#42d9fa', '#3f9015', '#ba3bb4', '#dd9c42', '#be7b96', '#9ea0fa',
	'#7a5aec', '#987337', '#4ec491', '#e078ff', '#f1498d', '#42a2ab', '#c3cb87', '#3295f6', '#929a2d', '#e26b1b'
];

/** Distinct colour (CSS hex) for head `head`; beyond the palette, hues step by the golden angle. */
export function headColour(head: number): string {
	if (head < HEAD_PALETTE.length) return HEAD_PALETTE[head];
	const extra = head - HEAD_PALETTE.length;
	const hue = (extra * 137.508 * Math.PI) / 180;
	const lightness = [0.62, 0.74][extra % 2];
	const chroma = 0.11;
	return rgbToHex(oklabToRgb([lightness, chroma * Math.cos(hue), chroma * Math.sin(hue)]));
}

import { describe, expect, it } from 'vitest';
import {
	SCALE_STEPS,
	headColour,
	hexToRgb,
	oklabToRgb,
	rgbToOklab,
	scaleIndex,
	sequentialColour,
	sequentialLut,
	textColourOn,
	type Theme
} from './colour';

const lightnessOf = (hex: string) => rgbToOklab(hexToRgb(hex))[0];
const distance = (a: string, b: string) => {
	const [p, q] = [rgbToOklab(hexToRgb(a)), rgbToOklab(hexToRgb(b))];
	return Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
};

describe('OKLab conversion', () => {
	it('round-trips sRGB colours', () => {
		for (const rgb of [[0, 0, 0], [255, 255, 255], [18, 52, 86], [250, 128, 7]] as const) {
			expect(oklabToRgb(rgbToOklab(rgb))).toEqual(rgb);
		}
	});
});

describe('sequential scale', () => {
	for (const theme of ['light', 'dark'] as Theme[]) {
		it(`${theme}: lightness is monotonic, moving away from the page background`, () => {
			const lut = sequentialLut(theme);
			expect(lut.length).toBe(SCALE_STEPS * 4);
			const lightness = Array.from({ length: SCALE_STEPS }, (_, i) =>
				rgbToOklab([lut[i * 4], lut[i * 4 + 1], lut[i * 4 + 2]])[0]
			);
			const direction = theme === 'light' ? -1 : 1;
			for (let i = 1; i < SCALE_STEPS; i++) {
				expect(direction * (lightness[i] - lightness[i - 1])).toBeGreaterThanOrEqual(-1e-3);
			}
			// The ends differ strongly enough to read a high value against a low one.
			expect(Math.abs(lightness[SCALE_STEPS - 1] - lightness[0])).toBeGreaterThan(0.6);
			for (let i = 0; i < SCALE_STEPS; i++) expect(lut[i * 4 + 3]).toBe(255);
		});
	}

	it('maps 0…max onto the table, clamping and treating NaN and empty scales as zero', () => {
		expect(scaleIndex(0, 1)).toBe(0);
		expect(scaleIndex(1, 1)).toBe(SCALE_STEPS - 1);
		expect(scaleIndex(0.5, 0.5)).toBe(SCALE_STEPS - 1);
		expect(scaleIndex(2, 1)).toBe(SCALE_STEPS - 1);
		expect(scaleIndex(-1, 1)).toBe(0);
		expect(scaleIndex(Number.NaN, 1)).toBe(0);
		expect(scaleIndex(0.3, 0)).toBe(0);
		expect(sequentialColour(0, 1, 'light')).toEqual(hexToRgb('#f7fbff'));
		expect(sequentialColour(1, 1, 'dark')).toEqual(hexToRgb('#fcfdbf'));
	});

	it('picks readable text on the extremes of both scales', () => {
		expect(textColourOn(sequentialColour(0, 1, 'light'))).toBe('#000000');
		expect(textColourOn(sequentialColour(1, 1, 'light'))).toBe('#ffffff');
		expect(textColourOn(sequentialColour(0, 1, 'dark'))).toBe('#ffffff');
		expect(textColourOn(sequentialColour(1, 1, 'dark'))).toBe('#000000');
	});
});

describe('head colours', () => {
	const colours = Array.from({ length: 64 }, (_, h) => headColour(h));

	it('are valid hex colours, all different', () => {
		for (const c of colours) expect(c).toMatch(/^#[0-9a-f]{6}$/);
		expect(new Set(colours).size).toBe(colours.length);
	});

	it('keep the first 12 clearly apart (OKLab distance ≥ 0.12)', () => {
		for (let i = 0; i < 12; i++) {
			for (let j = i + 1; j < 12; j++) expect(distance(colours[i], colours[j])).toBeGreaterThanOrEqual(0.12);
		}
	});

	it('stay mid-light, visible on white and on near-black pages', () => {
		for (const c of colours) {
			expect(lightnessOf(c)).toBeGreaterThan(0.5);
			expect(lightnessOf(c)).toBeLessThan(0.86);
		}
	});
});

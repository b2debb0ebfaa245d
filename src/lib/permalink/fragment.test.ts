import { describe, expect, it } from 'vitest';
import { literalFragment } from './fragment';

describe('fragments that would not decode', () => {
	it('leaves decodable fragments alone', () => {
		expect(literalFragment('#text=abc&model=%2Fmodels%2Fx%2F')).toBeNull();
		expect(literalFragment('')).toBeNull();
	});

	it('escapes stray percent signs only', () => {
		expect(literalFragment('#layer=%&model=%2Fm%2F')).toBe('#layer=%25&model=%2Fm%2F');
		expect(literalFragment('#view=%zz')).toBe('#view=%25zz');
	});

	it('takes every percent of a parameter literally when its escapes spell invalid UTF-8', () => {
		const fixed = literalFragment('#view=%E0%A4%A&model=%2Fm%2F');
		expect(fixed).toBe('#view=%25E0%25A4%25A&model=%2Fm%2F');
		expect(() => decodeURIComponent(fixed ?? '')).not.toThrow();
	});
});

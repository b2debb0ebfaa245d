import { describe, expect, it } from 'vitest';
import { moveCursor } from './gridCursor';

describe('moveCursor', () => {
	const at = { row: 2, col: 3 };

	it('moves by arrows and pages, staying inside the grid', () => {
		expect(moveCursor('ArrowUp', false, at, 5, 5)).toEqual({ row: 1, col: 3 });
		expect(moveCursor('ArrowRight', false, at, 5, 5)).toEqual({ row: 2, col: 4 });
		expect(moveCursor('ArrowRight', false, { row: 2, col: 4 }, 5, 5)).toEqual({ row: 2, col: 4 });
		expect(moveCursor('PageDown', false, at, 5, 5)).toEqual({ row: 4, col: 3 });
		expect(moveCursor('PageUp', false, at, 50, 5)).toEqual({ row: 0, col: 3 });
	});

	it('jumps to row ends with Home/End and to corners with Ctrl', () => {
		expect(moveCursor('Home', false, at, 5, 6)).toEqual({ row: 2, col: 0 });
		expect(moveCursor('End', false, at, 5, 6)).toEqual({ row: 2, col: 5 });
		expect(moveCursor('Home', true, at, 5, 6)).toEqual({ row: 0, col: 0 });
		expect(moveCursor('End', true, at, 5, 6)).toEqual({ row: 4, col: 5 });
	});

	it('ignores other keys', () => {
		expect(moveCursor('a', false, at, 5, 5)).toBeUndefined();
		expect(moveCursor('Enter', false, at, 5, 5)).toBeUndefined();
	});
});

/** A cell of a grid: a matrix cell (row = query, col = key) or a model-view thumbnail (row = layer, col = head). */
export interface GridCell {
	row: number;
	col: number;
}

const PAGE = 10;

/**
 * Where a key press moves the keyboard cursor in a rows × cols grid: arrows by one, PageUp/PageDown
 * by ten rows, Home/End to the row's ends (with Ctrl: the grid's corners). Undefined for other keys.
 */
export function moveCursor(key: string, ctrl: boolean, from: GridCell, rows: number, cols: number): GridCell | undefined {
	const clamp = (value: number, count: number) => Math.min(Math.max(value, 0), count - 1);
	const to = (row: number, col: number) => ({ row: clamp(row, rows), col: clamp(col, cols) });
	switch (key) {
		case 'ArrowUp':
			return to(from.row - 1, from.col);
		case 'ArrowDown':
			return to(from.row + 1, from.col);
		case 'ArrowLeft':
			return to(from.row, from.col - 1);
		case 'ArrowRight':
			return to(from.row, from.col + 1);
		case 'PageUp':
			return to(from.row - PAGE, from.col);
		case 'PageDown':
			return to(from.row + PAGE, from.col);
		case 'Home':
			return to(ctrl ? 0 : from.row, 0);
		case 'End':
			return to(ctrl ? rows - 1 : from.row, cols - 1);
		default:
			return undefined;
	}
}

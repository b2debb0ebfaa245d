import { describe, expect, it } from 'vitest';
import { ProgressTotals } from './progress';

describe('ProgressTotals', () => {
	it('adds up the latest progress of every file', () => {
		const totals = new ProgressTotals();
		totals.update({ file: 'config.json', loaded: 10, total: 10, done: true });
		totals.update({ file: 'onnx/model.onnx', loaded: 30, total: 100, done: false });
		expect(totals.update({ file: 'onnx/model.onnx', loaded: 60, total: 100, done: false })).toEqual({ loaded: 70, total: 110, files: 2 });
	});

	it('reports an unknown total while a file of unknown size is downloading', () => {
		const totals = new ProgressTotals();
		totals.update({ file: 'a', loaded: 5, total: 10, done: false });
		expect(totals.update({ file: 'b', loaded: 5, total: 0, done: false }).total).toBe(0);
	});
});

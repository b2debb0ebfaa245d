/** Min and median of repeated measurements, and how the bench prints them. */

export interface Summary {
	min: number;
	median: number;
	runs: number;
}

export function summarise(values: readonly number[]): Summary | undefined {
	if (values.length === 0) return undefined;
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	const median = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
	return { min: sorted[0], median, runs: values.length };
}

/** a[i] / b[i] for measurements taken in pairs (interleaved runs), so slow moments of the machine cancel out. */
export function pairedRatios(a: readonly number[], b: readonly number[]): number[] {
	return a.slice(0, b.length).map((value, i) => value / b[i]);
}

function number(value: number, digits: number): string {
	return value >= 100 ? value.toFixed(0) : value.toFixed(digits);
}

/** "min / median", e.g. "12.3 / 14.0"; "–" when nothing was measured. */
export function minMedian(summary: Summary | undefined, digits = 1): string {
	return summary ? `${number(summary.min, digits)} / ${number(summary.median, digits)}` : '–';
}

/** "1.05× / 1.10×" */
export function ratioMinMedian(summary: Summary | undefined): string {
	return summary ? `${summary.min.toFixed(2)}× / ${summary.median.toFixed(2)}×` : '–';
}

import type { HeadChoice } from '$lib/analysis/aggregate';

export interface Option<T> {
	value: T;
	label: string;
}

/** 0 … count-1, labelled by number: layers and heads are 0-based everywhere in the app. */
export function indexOptions(count: number): Option<number>[] {
	return Array.from({ length: count }, (_, i) => ({ value: i, label: String(i) }));
}

/** Options of the "Head" control: the two aggregates first, then every head. */
export function headChoiceOptions(heads: number): Option<HeadChoice>[] {
	return [{ value: 'mean', label: 'mean of heads' }, { value: 'max', label: 'max of heads' }, ...indexOptions(heads)];
}

export function describeHeadChoice(choice: HeadChoice): string {
	return typeof choice === 'number' ? `head ${choice}` : `${choice} of heads`;
}

/** `index` kept inside 0 … count-1, so a stale layer or head from another model never reads out of bounds. */
export function clampIndex(index: number, count: number): number {
	return Math.min(Math.max(0, Math.trunc(index) || 0), Math.max(0, count - 1));
}

/** The fixtures' PyTorch reference attention (tests/fixtures/models/README.md) and how far a run is from it. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HarnessAnalysis } from './engine-harness';
import { FIXTURE_ROOT } from './fixture-server';

export interface ReferenceCase {
	text: string;
	input_ids: number[];
	/** [layer][head][query][key] */
	attention: number[][][][];
}

/**
 * reference.<dtype>.json where the repo has one for that file, else reference.json (same numbers as model.onnx).
 * `root` is the folder holding the model repos: the fixtures, or static/models for the bundled models.
 */
export function referenceCases(fixture: string, dtype = 'fp32', root = FIXTURE_ROOT): ReferenceCase[] {
	const own = join(root, fixture, `reference.${dtype}.json`);
	const path = dtype !== 'fp32' && existsSync(own) ? own : join(root, fixture, 'reference.json');
	const parsed: { cases: ReferenceCase[] } = JSON.parse(readFileSync(path, 'utf8'));
	return parsed.cases;
}

/** Largest |actual − expected| over every cell; throws when the shapes differ. */
export function maxAbsError(actual: HarnessAnalysis, expected: ReferenceCase): number {
	const { attention } = expected;
	const shape = [attention.length, attention[0].length, expected.input_ids.length, expected.input_ids.length];
	if (actual.shape.join() !== shape.join()) throw new Error(`Attention shape [${actual.shape.join(', ')}], expected [${shape.join(', ')}].`);
	const flat = attention.flat(3);
	let max = 0;
	for (let i = 0; i < flat.length; i++) max = Math.max(max, Math.abs(actual.data[i] - flat[i]));
	return max;
}

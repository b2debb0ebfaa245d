import { describe, expect, it } from 'vitest';
import { buildFeeds, FeedError, type GraphInput } from './feeds';

const INT64 = 7;
const INT32 = 6;
const FLOAT = 1;
const FLOAT16 = 10;

const ids = [5, 6, 7];
const shape = { kvHeads: 2, headDim: 8 };

describe('buildFeeds', () => {
	it('fills an encoder with ones for the mask and zeros for the token types', () => {
		const inputs: GraphInput[] = [
			{ name: 'input_ids', elemType: INT64, dims: ['batch', 'sequence'] },
			{ name: 'attention_mask', elemType: INT64, dims: ['batch', 'sequence'] },
			{ name: 'token_type_ids', elemType: INT64, dims: ['batch', 'sequence'] }
		];
		const feeds = buildFeeds(inputs, ids, shape);
		expect(feeds.map((f) => [f.name, f.type, f.dims, Array.from(f.data, Number)])).toEqual([
			['input_ids', 'int64', [1, 3], [5, 6, 7]],
			['attention_mask', 'int64', [1, 3], [1, 1, 1]],
			['token_type_ids', 'int64', [1, 3], [0, 0, 0]]
		]);
	});

	it('gives a decoder positions and empty past keys/values, taking fixed dims from the graph', () => {
		const inputs: GraphInput[] = [
			{ name: 'input_ids', elemType: INT32, dims: ['batch', 'sequence'] },
			{ name: 'position_ids', elemType: INT64, dims: ['batch', 'sequence'] },
			{ name: 'past_key_values.0.key', elemType: FLOAT, dims: ['batch', 4, 'past', 16] },
			{ name: 'past_key_values.0.value', elemType: FLOAT16, dims: ['batch', 'heads', 'past', 'dim'] }
		];
		const [inputIds, positions, key, value] = buildFeeds(inputs, ids, shape);
		expect(inputIds.type).toBe('int32');
		expect(Array.from(positions.data, Number)).toEqual([0, 1, 2]);
		expect(key).toMatchObject({ type: 'float32', dims: [1, 4, 0, 16] });
		expect(value).toMatchObject({ type: 'float16', dims: [1, 2, 0, 8] });
		expect(value.data.length).toBe(0);
	});

	it('runs merged decoders down the no-cache branch', () => {
		const [branch] = buildFeeds([{ name: 'use_cache_branch', elemType: 9, dims: [1] }], ids, shape);
		expect(branch).toMatchObject({ type: 'bool', dims: [1] });
		expect(Array.from(branch.data, Number)).toEqual([0]);
	});

	it('names an input it cannot fill', () => {
		const inputs: GraphInput[] = [{ name: 'pixel_values', elemType: FLOAT, dims: [1, 3, 224, 224] }];
		expect(() => buildFeeds(inputs, ids, shape)).toThrow(FeedError);
		expect(() => buildFeeds(inputs, ids, shape)).toThrow(/pixel_values/);
	});
});

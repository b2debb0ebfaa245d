/**
 * The input tensors for one forward over a whole token sequence, built from the inputs the graph declares:
 * encoders take input_ids, attention_mask and maybe token_type_ids; decoders also take position_ids and
 * past_key_values.*, which are fed empty (past length 0) so every query sees every earlier key in one run.
 */
import type { readGraphInputs } from '$lib/onnx';

export type GraphInput = ReturnType<typeof readGraphInputs>[number];

/** TensorProto.DataType values a feed can have. */
const ONNX_ELEM = { FLOAT: 1, INT32: 6, INT64: 7, BOOL: 9, FLOAT16: 10 } as const;

export type Feed =
	| { name: string; type: 'int64'; data: BigInt64Array; dims: number[] }
	| { name: string; type: 'int32'; data: Int32Array; dims: number[] }
	| { name: string; type: 'float32'; data: Float32Array; dims: number[] }
	| { name: string; type: 'float16'; data: Uint16Array; dims: number[] }
	| { name: string; type: 'bool'; data: Uint8Array; dims: number[] };

/** Key/value geometry from the config, used where the graph leaves a past_key_values dimension symbolic. */
export interface KeyValueShape {
	kvHeads: number;
	headDim: number;
}

export class FeedError extends Error {
	override name = 'FeedError';
}

const PAST_KEY_VALUE = /^past_key_values\.\d+\.(key|value)$|^past\.\d+$/;

export function isPastKeyValue(name: string): boolean {
	return PAST_KEY_VALUE.test(name);
}

function integerFeed(input: GraphInput, values: readonly number[]): Feed {
	const dims = [1, values.length];
	switch (input.elemType) {
		case ONNX_ELEM.INT64:
			return { name: input.name, type: 'int64', data: BigInt64Array.from(values, BigInt), dims };
		case ONNX_ELEM.INT32:
			return { name: input.name, type: 'int32', data: Int32Array.from(values), dims };
		default:
			throw new FeedError(`Input "${input.name}" has element type ${input.elemType}; expected int64 or int32.`);
	}
}

/** A graph dimension when the file fixes it, else the config's value. */
function dimension(input: GraphInput, axis: number, fallback: number): number {
	const dim = input.dims[axis];
	return typeof dim === 'number' && dim > 0 ? dim : fallback;
}

function emptyPast(input: GraphInput, shape: KeyValueShape): Feed {
	if (input.dims.length !== 4) {
		throw new FeedError(`Input "${input.name}" has ${input.dims.length} dimensions; expected [batch, kv_heads, past, head_dim].`);
	}
	const dims = [1, dimension(input, 1, shape.kvHeads), 0, dimension(input, 3, shape.headDim)];
	switch (input.elemType) {
		case ONNX_ELEM.FLOAT:
			return { name: input.name, type: 'float32', data: new Float32Array(0), dims };
		case ONNX_ELEM.FLOAT16:
			return { name: input.name, type: 'float16', data: new Uint16Array(0), dims };
		default:
			throw new FeedError(`Input "${input.name}" has element type ${input.elemType}; expected float32 or float16.`);
	}
}

function range(length: number): number[] {
	return Array.from({ length }, (_, i) => i);
}

/** One feed per graph input; throws FeedError naming any input the engine does not know how to fill. */
export function buildFeeds(inputs: readonly GraphInput[], tokenIds: readonly number[], shape: KeyValueShape): Feed[] {
	const length = tokenIds.length;
	return inputs.map((input): Feed => {
		if (isPastKeyValue(input.name)) return emptyPast(input, shape);
		switch (input.name) {
			case 'input_ids':
				return integerFeed(input, tokenIds);
			case 'attention_mask':
				return integerFeed(input, new Array<number>(length).fill(1));
			case 'token_type_ids':
				return integerFeed(input, new Array<number>(length).fill(0));
			case 'position_ids':
				return integerFeed(input, range(length));
			case 'use_cache_branch':
				// Merged decoders: take the branch that runs without a cache.
				return { name: input.name, type: 'bool', data: Uint8Array.of(0), dims: [1] };
			default:
				throw new FeedError(`The model has an input "${input.name}" that the engine does not know how to fill.`);
		}
	});
}

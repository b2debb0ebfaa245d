/** Test-only: runs models in onnxruntime-web (WASM, as the app's fallback backend does) with standard feeds. */
import * as ort from 'onnxruntime-web';
import { ElemType, readGraphInputs } from '../graph';
import { fromFloat16Bits } from './build-model';
import { SEQ } from './models';

ort.env.wasm.numThreads = 1;

/** input_ids, an all-ones attention_mask, position_ids 0…SEQ-1, empty past_key_values, use_cache_branch. */
export function standardFeeds(bytes: Uint8Array, useCacheBranch = false): Record<string, ort.Tensor> {
	const feeds: Record<string, ort.Tensor> = {};
	const int64 = (values: number[]) => new ort.Tensor('int64', BigInt64Array.from(values.map(BigInt)), [1, SEQ]);
	for (const input of readGraphInputs(bytes)) {
		if (input.name === 'input_ids') feeds[input.name] = int64([1, 5, 2, 9]);
		else if (input.name === 'attention_mask') feeds[input.name] = int64([1, 1, 1, 1]);
		else if (input.name === 'position_ids') feeds[input.name] = int64([0, 1, 2, 3]);
		else if (input.name === 'use_cache_branch') feeds[input.name] = new ort.Tensor('bool', [useCacheBranch], [1]);
		else if (input.name.startsWith('past_key_values') && input.elemType === ElemType.FLOAT) {
			const dims = input.dims.map((d) => (typeof d === 'number' ? d : 0));
			feeds[input.name] = new ort.Tensor('float32', new Float32Array(0), dims);
		} else throw new Error(`no standard feed for input ${input.name}`);
	}
	return feeds;
}

export async function runModel(bytes: Uint8Array, feeds = standardFeeds(bytes)): Promise<Record<string, ort.Tensor>> {
	const session = await ort.InferenceSession.create(bytes);
	try {
		return await session.run(feeds);
	} finally {
		await session.release();
	}
}

/** A float32 or float16 tensor's values as numbers. */
export function values(tensor: ort.Tensor): Float32Array {
	if (tensor.type === 'float32') return tensor.data as Float32Array;
	// Without a native Float16Array, onnxruntime hands float16 data over as raw bits.
	if (tensor.type === 'float16' && tensor.data instanceof Uint16Array) return Float32Array.from(tensor.data, fromFloat16Bits);
	if (tensor.type === 'float16') return Float32Array.from(tensor.data as ArrayLike<number>);
	throw new Error(`not a float tensor: ${tensor.type}`);
}

/** Test-only: runs models in onnxruntime-web (WASM, as the app's fallback backend does) with standard feeds. */
import * as ort from 'onnxruntime-web';
import { ElemType, readGraphInputs } from '../graph';
import { fromFloat16Bits } from './build-model';

ort.env.wasm.numThreads = 1;

/**
 * One unpadded sequence: input_ids, an all-ones attention_mask, zero token_type_ids, position_ids 0…n-1,
 * empty past_key_values (batch 1, past length 0) and use_cache_branch.
 */
export function standardFeeds(
	bytes: Uint8Array,
	{ inputIds = [1, 5, 2, 9], useCacheBranch = false }: { inputIds?: number[]; useCacheBranch?: boolean } = {}
): Record<string, ort.Tensor> {
	const feeds: Record<string, ort.Tensor> = {};
	const int64 = (values: number[]) => new ort.Tensor('int64', BigInt64Array.from(values.map(BigInt)), [1, values.length]);
	const ramp = inputIds.map((_, i) => i);
	for (const input of readGraphInputs(bytes)) {
		if (input.name === 'input_ids') feeds[input.name] = int64(inputIds);
		else if (input.name === 'attention_mask') feeds[input.name] = int64(ramp.map(() => 1));
		else if (input.name === 'token_type_ids') feeds[input.name] = int64(ramp.map(() => 0));
		else if (input.name === 'position_ids') feeds[input.name] = int64(ramp);
		else if (input.name === 'use_cache_branch') feeds[input.name] = new ort.Tensor('bool', [useCacheBranch], [1]);
		else if (input.name.startsWith('past_key_values')) {
			const dims = input.dims.map((d, axis) => (typeof d === 'number' ? d : axis === 0 ? 1 : 0));
			feeds[input.name] = emptyFloatTensor(input.elemType, dims);
		} else throw new Error(`no standard feed for input ${input.name}`);
	}
	return feeds;
}

function emptyFloatTensor(elemType: number, dims: number[]): ort.Tensor {
	if (elemType === ElemType.FLOAT) return new ort.Tensor('float32', new Float32Array(0), dims);
	if (elemType === ElemType.FLOAT16) return new ort.Tensor('float16', new Uint16Array(0), dims);
	throw new Error(`no empty tensor of element type ${elemType}`);
}

export async function runModel(bytes: Uint8Array, feeds = standardFeeds(bytes)): Promise<Record<string, ort.Tensor>> {
	const [results] = await runEach(bytes, [feeds]);
	return results;
}

/** One session, several runs. */
export async function runEach(
	bytes: Uint8Array,
	feedsList: Record<string, ort.Tensor>[],
	externalData?: { path: string; data: Uint8Array }[]
): Promise<Record<string, ort.Tensor>[]> {
	const session = await ort.InferenceSession.create(bytes, { externalData });
	try {
		const results = [];
		for (const feeds of feedsList) results.push(await session.run(feeds));
		return results;
	} finally {
		await session.release();
	}
}

/** Sessions start slowly while several test files load onnxruntime's WASM at once. */
export const RUNTIME_TIMEOUT = { timeout: 60_000 };

/** A float32 or float16 tensor's values as numbers. */
export function values(tensor: ort.Tensor): Float32Array {
	if (tensor.type === 'float32') return tensor.data as Float32Array;
	// Without a native Float16Array, onnxruntime hands float16 data over as raw bits.
	if (tensor.type === 'float16' && tensor.data instanceof Uint16Array) {
		return Float32Array.from(tensor.data, fromFloat16Bits);
	}
	if (tensor.type === 'float16') return Float32Array.from(tensor.data as ArrayLike<number>);
	throw new Error(`not a float tensor: ${tensor.type}`);
}

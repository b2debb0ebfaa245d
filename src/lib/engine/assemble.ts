/**
 * Packs the per-layer attention outputs ([1, heads, queries, keys] each, float32 or float16) into the one
 * [layers, heads, queries, keys] Float32Array that crosses to the page.
 */
import type { AttentionTensor } from '$lib/attention';

export interface LayerAttention {
	dims: readonly number[];
	/** float32 values, or float16 as raw bits (Uint16Array) or as a Float16Array where the runtime has one. */
	data: ArrayLike<number>;
}

export class AttentionShapeError extends Error {
	override name = 'AttentionShapeError';
}

const HALF_SUBNORMAL_SCALE = 2 ** -24;

/** IEEE 754 binary16 bits → number. */
export function halfToFloat(bits: number): number {
	const sign = bits & 0x8000 ? -1 : 1;
	const exponent = (bits >> 10) & 0x1f;
	const fraction = bits & 0x3ff;
	if (exponent === 0) return sign * fraction * HALF_SUBNORMAL_SCALE;
	if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
	return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

function copyInto(target: Float32Array, offset: number, source: ArrayLike<number>): void {
	if (source instanceof Float32Array) {
		target.set(source, offset);
	} else if (source instanceof Uint16Array) {
		for (let i = 0; i < source.length; i++) target[offset + i] = halfToFloat(source[i]);
	} else {
		for (let i = 0; i < source.length; i++) target[offset + i] = source[i];
	}
}

function headsQueriesKeys(layer: LayerAttention, index: number): [number, number, number] {
	const [batch, heads, queries, keys] = layer.dims;
	if (layer.dims.length !== 4 || batch !== 1) {
		throw new AttentionShapeError(`Attention output of layer ${index} has shape [${layer.dims.join(', ')}]; expected [1, heads, queries, keys].`);
	}
	if (layer.data.length !== heads * queries * keys) {
		throw new AttentionShapeError(`Attention output of layer ${index} holds ${layer.data.length} values for shape [${layer.dims.join(', ')}].`);
	}
	return [heads, queries, keys];
}

/** Where the packed tensor goes: `length` values to be overwritten, fresh or recycled. */
export type TensorStorage = (length: number) => Float32Array;

export const freshStorage: TensorStorage = (length) => new Float32Array(length);

/** A fresh buffer has room for this much more, so a slightly longer text next time still fits. */
const RECYCLE_HEADROOM = 1.25;
/** A spare buffer more than this many times the need is dropped rather than kept busy for a small result. */
const RECYCLE_MAX_WASTE = 2;

/**
 * Storage that writes over a previous result's buffer, taken from `spare` only when the packing starts (so that
 * result stays readable until then). Why: the first write to fresh memory costs a page fault per 4 KiB page —
 * about 2 s for the 604 MB of a 12 × 12 model at 1024 tokens on a 2-core VM — while memory written before does
 * not, and the worker then holds one tensor instead of two. Fresh buffers get headroom; untouched pages cost nothing.
 */
export function recyclingStorage(spare: () => Float32Array | undefined): TensorStorage {
	return (length) => {
		const previous = spare();
		const whole = previous && new Float32Array(previous.buffer, 0, previous.buffer.byteLength / Float32Array.BYTES_PER_ELEMENT);
		if (whole && whole.length >= length && whole.length <= length * RECYCLE_MAX_WASTE) return whole.subarray(0, length);
		return new Float32Array(Math.ceil(length * RECYCLE_HEADROOM)).subarray(0, length);
	};
}

/** `layers` in layer order; all must share one [heads, queries, keys] shape. */
export function assembleAttention(layers: readonly LayerAttention[], storage: TensorStorage = freshStorage): AttentionTensor {
	if (layers.length === 0) throw new AttentionShapeError('The model produced no attention outputs.');
	const [heads, queries, keys] = headsQueriesKeys(layers[0], 0);
	const perLayer = heads * queries * keys;
	// Every shape is checked before the storage is asked: a recycled buffer is only overwritten for a good result.
	layers.forEach((layer, index) => {
		const shape = headsQueriesKeys(layer, index);
		if (shape[0] !== heads || shape[1] !== queries || shape[2] !== keys) {
			throw new AttentionShapeError(`Layer ${index} attention is [${shape.join(', ')}] but layer 0 is [${heads}, ${queries}, ${keys}].`);
		}
	});
	const data = storage(layers.length * perLayer);
	layers.forEach((layer, index) => copyInto(data, index * perLayer, layer.data));
	return { layers: layers.length, heads, queries, keys, data };
}

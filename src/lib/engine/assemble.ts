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

/** `layers` in layer order; all must share one [heads, queries, keys] shape. */
export function assembleAttention(layers: readonly LayerAttention[]): AttentionTensor {
	if (layers.length === 0) throw new AttentionShapeError('The model produced no attention outputs.');
	const [heads, queries, keys] = headsQueriesKeys(layers[0], 0);
	const perLayer = heads * queries * keys;
	const data = new Float32Array(layers.length * perLayer);
	layers.forEach((layer, index) => {
		const shape = headsQueriesKeys(layer, index);
		if (shape[0] !== heads || shape[1] !== queries || shape[2] !== keys) {
			throw new AttentionShapeError(`Layer ${index} attention is [${shape.join(', ')}] but layer 0 is [${heads}, ${queries}, ${keys}].`);
		}
		copyInto(data, index * perLayer, layer.data);
	});
	return { layers: layers.length, heads, queries, keys, data };
}

/**
 * The one attention layout used everywhere: row-major [layer][head][query][key] in a single Float32Array.
 * The whole tensor stays in the engine worker; the page reads one layer at a time (a one-layer tensor of the same
 * layout, transferred) and is read through slices, never turned into nested arrays.
 */
export interface AttentionTensor {
	layers: number;
	heads: number;
	queries: number;
	keys: number;
	data: Float32Array;
}

/** [layers, heads, queries, keys] of a tensor, without its values. */
export type AttentionShape = Omit<AttentionTensor, 'data'>;

export function shapeOf({ layers, heads, queries, keys }: AttentionShape): AttentionShape {
	return { layers, heads, queries, keys };
}

/** Layer `layer` of `t` as a one-layer tensor: a copy, so it can be transferred while `t` is kept. */
export function layerSlice(t: AttentionTensor, layer: number): AttentionTensor {
	if (!Number.isInteger(layer) || layer < 0 || layer >= t.layers) throw new RangeError(`layer ${layer} of ${t.layers}`);
	const size = t.heads * t.queries * t.keys;
	return { ...shapeOf(t), layers: 1, data: t.data.slice(layer * size, (layer + 1) * size) };
}

/** Offset of attention[layer][head][0][0] in `data`. */
export function headOffset(t: AttentionTensor, layer: number, head: number): number {
	return (layer * t.heads + head) * t.queries * t.keys;
}

/** A view (no copy) of one head's queries × keys matrix. */
export function headMatrix(t: AttentionTensor, layer: number, head: number): Float32Array {
	const start = headOffset(t, layer, head);
	return t.data.subarray(start, start + t.queries * t.keys);
}

/** attention[layer][head][query][key]. */
export function attentionAt(t: AttentionTensor, layer: number, head: number, query: number, key: number): number {
	return t.data[headOffset(t, layer, head) + query * t.keys + key];
}

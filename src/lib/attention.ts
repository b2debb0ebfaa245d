/**
 * The one attention layout used everywhere: row-major [layer][head][query][key] in a single Float32Array.
 * It crosses the worker boundary by transfer and is read through slices, never turned into nested arrays.
 */
export interface AttentionTensor {
	layers: number;
	heads: number;
	queries: number;
	keys: number;
	data: Float32Array;
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

/** What a patch returns: the patched file and, per layer, the graph output that holds its attention. */
import { NoAttentionError } from './errors';
import { ElemType } from './graph';
import type { NewOutput } from './rewrite';

export type OnnxElemType = 'float32' | 'float16';

export interface AttentionOutput {
	/** Graph value name to add as an output and fetch: the attention probabilities [batch, heads, q, k]. */
	name: string;
	/** 0-based, graph order. */
	layer: number;
	/** What the Softmax really produces (FLOAT=1, FLOAT16=10). */
	elemType: OnnxElemType;
}

/** Prefix of the outputs a patch has to name itself (If outputs of merged decoders, fused ops' extra outputs). */
export const ATTENTION_OUTPUT_PREFIX = 'attnscope.attention.';

export interface PatchedModel {
	bytes: Uint8Array;
	outputs: AttentionOutput[];
}

export function toOnnxElemType(elemType: number): OnnxElemType | undefined {
	if (elemType === ElemType.FLOAT) return 'float32';
	if (elemType === ElemType.FLOAT16) return 'float16';
	return undefined;
}

/** Numbers the outputs by layer; refuses element types the engine cannot read. */
export function toAttentionOutputs(values: NewOutput[]): AttentionOutput[] {
	return values.map(({ name, elemType }, layer) => {
		const type = toOnnxElemType(elemType);
		if (!type) {
			const found = `Softmax (attention, but it computes in element type ${elemType}; only float32 and float16 can be read)`;
			throw new NoAttentionError(`No readable attention: ${found}.`, [found]);
		}
		return { name, layer, elemType: type };
	});
}

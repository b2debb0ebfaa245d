/**
 * Reading a result's attention where it is kept (the engine worker, issue 6: the page holds only what it shows).
 * The worker answers reads with answerRead; the page reads through an AttentionReader, one per result.
 */
import { poolHeads, type PooledHeads } from '$lib/analysis/aggregate';
import { preferredRollout } from '$lib/analysis/rollout-gpu';
import { layerSlice, shapeOf, type AttentionShape, type AttentionTensor } from '$lib/attention';
import type { AnalysisResult, AttentionRead, ReadAnswer } from './protocol';

/** The page's handle on one result's attention: exact float32 values, a layer at a time. */
export interface AttentionReader {
	readonly shape: AttentionShape;
	/** One layer as a one-layer tensor (same layout, layer index 0). */
	layer(layer: number): Promise<AttentionTensor>;
	/** Every head pooled (max and mean) to at most size × size. */
	pooled(size: number): Promise<PooledHeads>;
	/** Attention rollout from startLayer to the last layer (WebGPU on a hardware adapter, else the CPU). */
	rollout(startLayer: number): Promise<Float32Array>;
}

/** An analysis as the page holds it: the result, with its attention behind a reader. */
export type Analysis = Omit<AnalysisResult, 'shape'> & { attention: AttentionReader };

export async function answerRead(t: AttentionTensor, read: AttentionRead): Promise<ReadAnswer> {
	switch (read.kind) {
		case 'layer':
			return { kind: 'layer', attention: layerSlice(t, read.layer) };
		case 'pooled':
			return { kind: 'pooled', pooled: poolHeads(t, read.size) };
		case 'rollout':
			return { kind: 'rollout', matrix: await preferredRollout(t, read.startLayer) };
	}
}

/** The buffers an answer can hand over instead of copying: all of them are made for that answer. */
export function answerTransfer(answer: ReadAnswer): ArrayBuffer[] {
	switch (answer.kind) {
		case 'layer':
			return [answer.attention.data.buffer as ArrayBuffer];
		case 'pooled':
			return answer.pooled.matrices.flatMap((m) => [m.max.buffer as ArrayBuffer, m.mean.buffer as ArrayBuffer]);
		case 'rollout':
			return [answer.matrix.buffer as ArrayBuffer];
	}
}

/** A reader whose answers come from `ask` (the engine client's round trip to the worker, or answerRead here). */
export function attentionReader(shape: AttentionShape, ask: (read: AttentionRead) => Promise<ReadAnswer>): AttentionReader {
	return {
		shape,
		layer: async (layer) => answerOf(await ask({ kind: 'layer', layer }), 'layer').attention,
		pooled: async (size) => answerOf(await ask({ kind: 'pooled', size }), 'pooled').pooled,
		rollout: async (startLayer) => answerOf(await ask({ kind: 'rollout', startLayer }), 'rollout').matrix
	};
}

/** A reader of a tensor held in this thread. */
export function tensorReader(t: AttentionTensor): AttentionReader {
	return attentionReader(shapeOf(t), (read) => answerRead(t, read));
}

function answerOf<K extends ReadAnswer['kind']>(answer: ReadAnswer, kind: K): Extract<ReadAnswer, { kind: K }> {
	if (answer.kind !== kind) throw new Error(`The engine answered a ${kind} read with a ${answer.kind}.`);
	return answer as Extract<ReadAnswer, { kind: K }>;
}

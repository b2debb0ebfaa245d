/**
 * Picks the patch that makes a model return its attention: the Softmax outputs of unfused graphs (any backend),
 * else the extra output of fused attention ops, which only onnxruntime's CPU/WASM kernels emit.
 */
import { findFusedAttention, NoAttentionError, patchFusedAttentionForQk, patchModelForAttention, scanModel, type PatchedModel } from '$lib/onnx';

export interface AttentionPatch {
	patched: PatchedModel;
	/** The outputs are pre-softmax scores (MultiHeadAttention): apply a row softmax to get the probabilities. */
	outputsAreScores: boolean;
	/** The fused op whose attention only WASM can emit (e.g. com.microsoft::GroupQueryAttention); undefined if unfused. */
	wasmOnlyOp: string | undefined;
}

export function patchForAttention(bytes: Uint8Array): AttentionPatch {
	try {
		return { patched: patchModelForAttention(bytes), outputsAreScores: false, wasmOnlyOp: undefined };
	} catch (error) {
		if (!(error instanceof NoAttentionError)) throw error;
		const fused = findFusedAttention(scanModel(bytes).graph);
		// No fused op either: the unfused search's message says what it saw.
		if (fused.length === 0) throw error;
		// Throws NoAttentionError naming the op when it cannot emit its attention.
		const { bytes: patchedBytes, outputs, softmaxApplied } = patchFusedAttentionForQk(bytes);
		return { patched: { bytes: patchedBytes, outputs }, outputsAreScores: !softmaxApplied, wasmOnlyOp: fused[0].op };
	}
}

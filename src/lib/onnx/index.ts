/**
 * Reading ONNX models without decoding their weights, finding their attention, and patching them so a runtime
 * returns it. Pure TypeScript: runs in the engine's Web Worker and in node.
 */
export { OnnxFormatError, NoAttentionError } from './errors';
export type { OnnxElemType, AttentionOutput, PatchedModel } from './outputs';
export { ATTENTION_OUTPUT_PREFIX } from './outputs';
export { patchModelForAttention } from './patch';
export { patchFusedAttentionForQk, type FusedAttentionPatch } from './qk-output';
export { findFusedAttention, type FusedAttention } from './fused';
export { findAttentionSoftmax, type AttentionSearch, type AttentionSoftmax } from './attention';
export {
	scanModel,
	readGraphInputs,
	ElemType,
	type OnnxModel,
	type OnnxGraph,
	type OnnxNode,
	type OnnxAttribute,
	type ValueInfo
} from './graph';

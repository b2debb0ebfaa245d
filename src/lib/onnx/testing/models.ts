/**
 * Test-only: tiny runnable models mimicking how PyTorch exports each attention style, so the detector meets the
 * same node patterns as with real Hub models. All use hidden size HEADS × HEAD_DIM, a fixed sequence length SEQ
 * (masks are constants of that size) and `input_ids` [1, SEQ] → `logits` [1, SEQ, VOCAB].
 */
import { ElemType } from '../graph';
import { encodeModel, type GraphSpec } from './build-model';
import { GraphBuilder } from './graph-builder';

export const SEQ = 4;
export const VOCAB = 11;
export const HEADS = 2;
export const HEAD_DIM = 8; // GroupQueryAttention kernels need a multiple of 8
const HIDDEN = HEADS * HEAD_DIM;

export interface AttentionStyle {
	/** where-causal: GPT-2's Where(bias, scores, -inf); input-mask: BERT's additive mask from `attention_mask`;
	 *  causal-add: an additive causal constant (LLaMA). */
	mask: 'where-causal' | 'input-mask' | 'causal-add';
	/** div: scores / √d (eager); sdpa: Q and Kᵀ each × d^-¼ before the MatMul (torch SDPA export). */
	scale: 'div' | 'sdpa';
	/** Rotary embeddings from `position_ids` applied to Q and K before the QK MatMul. */
	rope?: boolean;
	/** Fewer key/value heads than heads, expanded with Unsqueeze/Expand/Reshape (LLaMA's repeat_kv). */
	kvHeads?: number;
	/** Compute the softmax in float32 inside a float16 model (Cast before and after). */
	softmaxInFloat32?: boolean;
	dropout?: boolean;
	/** Declare the softmax output's type in value_info, as shape-inferred exports do. */
	declareSoftmax?: boolean;
}

export const GPT2: AttentionStyle = { mask: 'where-causal', scale: 'div', dropout: true };
export const BERT: AttentionStyle = { mask: 'input-mask', scale: 'div' };
export const LLAMA: AttentionStyle = { mask: 'causal-add', scale: 'sdpa', rope: true, kvHeads: 1 };

export interface ModelOptions {
	layers: number;
	style: AttentionStyle;
	floatType?: number;
	/** Softmax over the logits, exported as a second output (a classifier head: not attention). */
	classifierSoftmax?: boolean;
}

/** Where the layers find their inputs; past_key/past_value exist in a merged decoder's cache branch. */
interface LayerContext {
	b: GraphBuilder;
	style: AttentionStyle;
	attentionMask?: string;
	positionIds?: string;
	past?: { key: string; value: string }[];
}

export function buildAttentionModel(options: ModelOptions): Uint8Array {
	return encodeModel(buildAttentionGraph(options));
}

export function buildAttentionGraph(options: ModelOptions): GraphSpec {
	const b = GraphBuilder.create(options.floatType ?? ElemType.FLOAT);
	const context = declareInputs(b, options.style);
	let hidden = b.op('Gather', [b.weight([VOCAB, HIDDEN]), context.inputIds]);
	for (let layer = 0; layer < options.layers; layer++) {
		hidden = attentionLayer({ ...context, b }, hidden, layerWeights(b, options.style.kvHeads ?? HEADS), layer);
	}
	const logits = b.ops('MatMul', [hidden, b.weight([HIDDEN, VOCAB])], { outputs: ['logits'] })[0];
	b.output(logits);
	if (options.classifierSoftmax) {
		b.ops('Softmax', [logits], { outputs: ['probabilities'], attributes: { axis: -1 } });
		b.output('probabilities');
	}
	return b.build('attention-model');
}

function declareInputs(b: GraphBuilder, style: AttentionStyle) {
	return {
		style,
		inputIds: b.input('input_ids', ElemType.INT64, [1, SEQ]),
		attentionMask: style.mask === 'input-mask' ? b.input('attention_mask', ElemType.INT64, [1, SEQ]) : undefined,
		positionIds: style.rope ? b.input('position_ids', ElemType.INT64, [1, SEQ]) : undefined
	};
}

interface LayerWeights {
	query: string;
	key: string;
	value: string;
	out: string;
}

function layerWeights(b: GraphBuilder, kvHeads: number): LayerWeights {
	return {
		query: b.weight([HIDDEN, HIDDEN]),
		key: b.weight([HIDDEN, kvHeads * HEAD_DIM]),
		value: b.weight([HIDDEN, kvHeads * HEAD_DIM]),
		out: b.weight([HIDDEN, HIDDEN])
	};
}

/** One transformer attention block (no norms, no MLP); returns the new hidden state. */
function attentionLayer(ctx: LayerContext, hidden: string, weights: LayerWeights, layer: number): string {
	const { b, style } = ctx;
	const kvHeads = style.kvHeads ?? HEADS;
	const heads = (x: string, count: number) =>
		b.op('Transpose', [b.op('Reshape', [x, b.int64s([0, 0, count, HEAD_DIM])])], { perm: [0, 2, 1, 3] });

	let q = heads(b.op('MatMul', [hidden, weights.query]), HEADS);
	let k = heads(b.op('MatMul', [hidden, weights.key]), kvHeads);
	let v = heads(b.op('MatMul', [hidden, weights.value]), kvHeads);
	if (style.rope && ctx.positionIds) [q, k] = [rope(b, q, ctx.positionIds), rope(b, k, ctx.positionIds)];
	const past = ctx.past?.[layer];
	if (past) {
		k = b.op('Concat', [past.key, k], { axis: 2 });
		v = b.op('Concat', [past.value, v], { axis: 2 });
	}
	if (kvHeads < HEADS) [k, v] = [repeatKv(b, k, kvHeads), repeatKv(b, v, kvHeads)];

	let kT = b.op('Transpose', [k], { perm: [0, 1, 3, 2] });
	let scores: string;
	if (style.scale === 'sdpa') {
		const factor = b.floats([HEAD_DIM ** -0.25], []);
		q = b.op('Mul', [q, factor]);
		kT = b.op('Mul', [kT, factor]);
		scores = b.op('MatMul', [q, kT]);
	} else {
		scores = b.op('Div', [b.op('MatMul', [q, kT]), b.floats([Math.sqrt(HEAD_DIM)], [])]);
	}
	scores = applyMask(ctx, scores);

	let probs: string;
	if (style.softmaxInFloat32) {
		const scores32 = b.op('Cast', [scores], { to: ElemType.FLOAT });
		probs = b.op('Cast', [b.op('Softmax', [scores32], { axis: -1 })], { to: b.floatType });
	} else {
		probs = b.op('Softmax', [scores], { axis: -1 });
		if (style.declareSoftmax) b.declare(probs, b.floatType);
	}
	if (style.dropout) probs = b.op('Dropout', [probs]);

	const context = b.op('MatMul', [probs, v]);
	const merged = b.op('Reshape', [b.op('Transpose', [context], { perm: [0, 2, 1, 3] }), b.int64s([0, 0, HIDDEN])]);
	return b.op('Add', [hidden, b.op('MatMul', [merged, weights.out])]);
}

function applyMask(ctx: LayerContext, scores: string): string {
	const { b } = ctx;
	const causal = (i: number, j: number) => j <= i;
	const grid = (fn: (i: number, j: number) => boolean) =>
		Array.from({ length: SEQ * SEQ }, (_, n) => fn(Math.floor(n / SEQ), n % SEQ));
	switch (ctx.style.mask) {
		case 'where-causal':
			return b.op('Where', [b.bools(grid(causal), [1, 1, SEQ, SEQ]), scores, b.floats([-1e4], [])]);
		case 'causal-add': {
			const bias = grid(causal).map((keep) => (keep ? 0 : -1e4));
			return b.op('Add', [scores, b.floats(bias, [1, 1, SEQ, SEQ])]);
		}
		case 'input-mask': {
			if (!ctx.attentionMask) throw new Error('input-mask style needs attention_mask');
			const mask = b.op('Cast', [b.op('Unsqueeze', [ctx.attentionMask, b.int64s([1, 2])])], { to: b.floatType });
			const bias = b.op('Mul', [b.op('Sub', [b.floats([1], []), mask]), b.floats([-1e4], [])]);
			return b.op('Add', [scores, bias]);
		}
	}
}

/** x·cos + rotate_half(x)·sin with tables gathered by position_ids: [1, S] → [1, 1, S, d]. */
function rope(b: GraphBuilder, x: string, positionIds: string): string {
	const half = HEAD_DIM / 2;
	const angle = (pos: number, i: number) => pos / 10000 ** ((2 * (i % half)) / HEAD_DIM);
	const table = (fn: (a: number) => number) =>
		Array.from({ length: 64 * HEAD_DIM }, (_, n) => fn(angle(Math.floor(n / HEAD_DIM), n % HEAD_DIM)));
	const gathered = (values: number[]) =>
		b.op('Unsqueeze', [b.op('Gather', [b.floats(values, [64, HEAD_DIM]), positionIds]), b.int64s([1])]);
	const cos = gathered(table(Math.cos));
	const sin = gathered(table(Math.sin));
	const slice = (start: number, end: number) => b.op('Slice', [x, b.int64s([start]), b.int64s([end]), b.int64s([3])]);
	const rotated = b.op('Concat', [b.op('Neg', [slice(half, HEAD_DIM)]), slice(0, half)], { axis: 3 });
	return b.op('Add', [b.op('Mul', [x, cos]), b.op('Mul', [rotated, sin])]);
}

/** [1, kv, T, d] → [1, HEADS, T, d] via Unsqueeze, Expand, Reshape. */
function repeatKv(b: GraphBuilder, x: string, kvHeads: number): string {
	const expanded = b.op('Expand', [
		b.op('Unsqueeze', [x, b.int64s([2])]),
		b.int64s([1, kvHeads, HEADS / kvHeads, 1, 1])
	]);
	return b.op('Reshape', [expanded, b.int64s([1, HEADS, -1, HEAD_DIM])]);
}

/**
 * A merged decoder as HF/Optimum exports it: `If(use_cache_branch)` whose then-branch concatenates
 * `past_key_values.*` and whose else-branch ignores them. Weights live in the outer graph.
 */
export function buildMergedDecoder(layers: number, style: AttentionStyle = GPT2): Uint8Array {
	const b = GraphBuilder.create();
	const context = declareInputs(b, style);
	const kvHeads = style.kvHeads ?? HEADS;
	const past = Array.from({ length: layers }, (_, i) => ({
		key: b.input(`past_key_values.${i}.key`, ElemType.FLOAT, [1, kvHeads, 'past_sequence_length', HEAD_DIM]),
		value: b.input(`past_key_values.${i}.value`, ElemType.FLOAT, [1, kvHeads, 'past_sequence_length', HEAD_DIM])
	}));
	const useCache = b.input('use_cache_branch', ElemType.BOOL, [1]);
	const embedding = b.op('Gather', [b.weight([VOCAB, HIDDEN]), context.inputIds]);
	const lmHead = b.weight([HIDDEN, VOCAB]);
	const weights = Array.from({ length: layers }, () => layerWeights(b, kvHeads));

	const branch = (withPast: boolean): GraphSpec => {
		const sub = b.subgraph();
		let hidden = embedding;
		for (let layer = 0; layer < layers; layer++) {
			const layerContext = { ...context, b: sub, past: withPast ? past : undefined };
			hidden = attentionLayer(layerContext, hidden, weights[layer], layer);
		}
		sub.output(sub.op('MatMul', [hidden, lmHead]));
		return sub.buildBranch(withPast ? 'with_past' : 'without_past');
	};
	b.ops('If', [useCache], {
		outputs: ['logits'],
		attributes: { then_branch: { graph: branch(true) }, else_branch: { graph: branch(false) } }
	});
	b.output('logits');
	return encodeModel(b.build('merged-decoder'));
}

/** A classifier: embeddings → dense → Softmax over classes. Its Softmax is not attention. */
export function buildClassifier(): Uint8Array {
	const b = GraphBuilder.create();
	const ids = b.input('input_ids', ElemType.INT64, [1, SEQ]);
	const hidden = b.op('Gather', [b.weight([VOCAB, HIDDEN]), ids]);
	const logits = b.op('Add', [b.op('MatMul', [hidden, b.weight([HIDDEN, 3])]), b.floats([0, 0, 0])]);
	b.ops('Softmax', [logits], { outputs: ['probabilities'], attributes: { axis: -1 } });
	b.output('probabilities');
	return encodeModel(b.build('classifier'));
}

/** An MLP without any Softmax. */
export function buildWithoutSoftmax(): Uint8Array {
	const b = GraphBuilder.create();
	const ids = b.input('input_ids', ElemType.INT64, [1, SEQ]);
	const embedded = b.op('Gather', [b.weight([VOCAB, HIDDEN]), ids]);
	const hidden = b.op('Relu', [b.op('MatMul', [embedded, b.weight([HIDDEN, HIDDEN])])]);
	b.ops('MatMul', [hidden, b.weight([HIDDEN, VOCAB])], { outputs: ['logits'] });
	b.output('logits');
	return encodeModel(b.build('mlp'));
}

/**
 * A decoder whose attention is com.microsoft GroupQueryAttention, as onnxruntime-genai and onnx-community
 * exports write it (causal, no rotary here). Same seed and weight order as
 * buildAttentionModel({ style: UNFUSED_GQA }), so both compute the same attention.
 */
export function buildGroupQueryAttentionModel(layers: number): Uint8Array {
	const b = GraphBuilder.create();
	const ids = b.input('input_ids', ElemType.INT64, [1, SEQ]);
	const mask = b.input('attention_mask', ElemType.INT64, [1, SEQ]);
	const kvHeads = UNFUSED_GQA.kvHeads ?? HEADS;
	let hidden = b.op('Gather', [b.weight([VOCAB, HIDDEN]), ids]);
	const int32 = (x: string) => b.op('Cast', [x], { to: ElemType.INT32 });
	const seqlensK = int32(b.op('Sub', [b.op('ReduceSum', [mask, b.int64s([1])], { keepdims: 0 }), b.int64s([1], [])]));
	const totalLength = int32(b.op('Gather', [b.op('Shape', [mask]), b.int64s([1], [])]));
	for (let layer = 0; layer < layers; layer++) {
		const w = layerWeights(b, kvHeads);
		const pastDims = [1, kvHeads, 'past_sequence_length', HEAD_DIM];
		const [attended] = b.ops(
			'GroupQueryAttention',
			[
				b.op('MatMul', [hidden, w.query]),
				b.op('MatMul', [hidden, w.key]),
				b.op('MatMul', [hidden, w.value]),
				b.input(`past_key_values.${layer}.key`, ElemType.FLOAT, pastDims),
				b.input(`past_key_values.${layer}.value`, ElemType.FLOAT, pastDims),
				seqlensK,
				totalLength
			],
			{ domain: 'com.microsoft', outputs: 3, attributes: { num_heads: HEADS, kv_num_heads: kvHeads } }
		);
		hidden = b.op('Add', [hidden, b.op('MatMul', [attended, w.out])]);
	}
	b.ops('MatMul', [hidden, b.weight([HIDDEN, VOCAB])], { outputs: ['logits'] });
	b.output('logits');
	return encodeModel(b.build('gqa-decoder'));
}

/** The unfused equivalent of buildGroupQueryAttentionModel. */
export const UNFUSED_GQA: AttentionStyle = { mask: 'causal-add', scale: 'div', kvHeads: 1 };

/** A graph with other fused attention ops, for diagnostics only (not runnable). */
export function buildFusedOpsModel(): Uint8Array {
	const b = GraphBuilder.create();
	const x = b.input('x', ElemType.FLOAT, [1, SEQ, HIDDEN]);
	const mhaOptions = { domain: 'com.microsoft', attributes: { num_heads: HEADS } };
	const [mha] = b.ops('MultiHeadAttention', [x, x, x], mhaOptions);
	b.ops('MultiHeadAttention', [mha, mha, mha], { ...mhaOptions, outputs: ['y'] });
	const attributes = { q_num_heads: HEADS, kv_num_heads: HEADS, scale: { float: 0.5 } };
	b.ops('Attention', [x, x, x], { outputs: ['z'], attributes });
	b.output('y');
	b.output('z');
	return encodeModel(b.build('fused'), { opsets: [{ domain: '', version: 23 }, { domain: 'com.microsoft', version: 1 }] });
}

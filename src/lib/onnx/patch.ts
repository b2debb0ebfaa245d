/**
 * Makes a model return its attention probabilities: finds the attention Softmax nodes and adds their outputs
 * as graph outputs, the only values a runtime lets callers fetch.
 */
import { findAttentionSoftmax, type AttentionSearch, type AttentionSoftmax } from './attention';
import { noAttentionError } from './diagnose';
import { encodeValueInfo } from './encode';
import { NoAttentionError } from './errors';
import { attribute, scanModel, type OnnxAttribute, type OnnxGraph, type OnnxModel, type OnnxNode } from './graph';
import { messageField, type Field } from './protobuf';
import { ATTENTION_OUTPUT_PREFIX, toAttentionOutputs, type PatchedModel } from './outputs';
import { rewriteModel, rewriteNode, splice, uniqueNames } from './rewrite';
import { GraphScope } from './scope';

/**
 * Scan, find attention, append outputs. Throws OnnxFormatError for bytes that are not ONNX, NoAttentionError
 * when no attention is found.
 */
export function patchModelForAttention(bytes: Uint8Array): PatchedModel {
	const model = scanModel(bytes);
	const top = findAttentionSoftmax(model.graph);
	if (top.softmax.length > 0) {
		const values = top.softmax.map((s) => ({ name: s.node.outputs[0], elemType: s.elemType }));
		const outputs = toAttentionOutputs(values);
		return { bytes: rewriteModel(bytes, model, [], values), outputs };
	}
	const merged = findAttentionInIf(model);
	if (merged) return patchIfBranches(bytes, model, merged);
	throw noAttentionError(model);
}

// ---- merged decoders: attention inside If branches ----

interface Branch {
	attr: OnnxAttribute & { g: OnnxGraph; gField: Field };
	search: AttentionSearch;
}

interface MergedDecoderPlan {
	node: OnnxNode;
	/** The branch that runs when use_cache_branch is false: its Softmax order defines the layers. */
	noCache: Branch;
	cache: Branch;
}

function findAttentionInIf(model: OnnxModel): MergedDecoderPlan | undefined {
	const root = new GraphScope(model.graph);
	for (const node of model.graph.nodes) {
		if (node.opType !== 'If' || node.domain !== '') continue;
		const branches = ['then_branch', 'else_branch'].map((name) => {
			const attr = attribute(node, name);
			if (!attr?.g || !attr.gField) return undefined;
			return { attr: { ...attr, g: attr.g, gField: attr.gField }, search: findAttentionSoftmax(attr.g, root) };
		});
		const [thenBranch, elseBranch] = branches;
		if (!thenBranch || !elseBranch) continue;
		if (thenBranch.search.softmax.length === 0 && elseBranch.search.softmax.length === 0) continue;
		return readsMoreOuterInputs(model.graph, elseBranch.attr.g, thenBranch.attr.g)
			? { node, noCache: thenBranch, cache: elseBranch }
			: { node, noCache: elseBranch, cache: thenBranch };
	}
	return undefined;
}

/**
 * The cache branch is the one that reads past_key_values.*: its outer graph inputs strictly include the other
 * branch's. When that does not settle it, HF/Optimum's convention holds: then_branch is the cache branch.
 */
function readsMoreOuterInputs(outer: OnnxGraph, branch: OnnxGraph, other: OnnxGraph): boolean {
	const mine = outerInputsRead(outer, branch);
	const theirs = outerInputsRead(outer, other);
	return mine.size > theirs.size && [...theirs].every((name) => mine.has(name));
}

function outerInputsRead(outer: OnnxGraph, branch: OnnxGraph): Set<string> {
	const inputs = new Set(outer.inputs.map((i) => i.name));
	const read = new Set<string>();
	const visit = (graph: OnnxGraph) => {
		for (const node of graph.nodes) {
			for (const input of node.inputs) if (inputs.has(input)) read.add(input);
			for (const attr of node.attributes) if (attr.g) visit(attr.g);
		}
	};
	visit(branch);
	return read;
}

/**
 * onnxruntime fetches only top-level values, so each branch outputs its own Softmax values (both branches,
 * the If requires matching outputs; with past length 0 the cache branch computes the same attention), the If
 * gets matching outputs, and those become graph outputs.
 */
function patchIfBranches(bytes: Uint8Array, model: OnnxModel, plan: MergedDecoderPlan): PatchedModel {
	const layers = plan.noCache.search.softmax;
	const mismatch = pairingProblem(layers, plan.cache.search.softmax);
	if (mismatch) {
		const found = `Softmax inside If branches (cannot pair them: ${mismatch})`;
		throw new NoAttentionError(`No usable attention: ${found}.`, [found]);
	}
	const names = uniqueNames(model, ATTENTION_OUTPUT_PREFIX, layers.length);
	const values = layers.map((s, i) => ({ name: names[i], elemType: s.elemType }));
	const outputs = toAttentionOutputs(values);
	const branchAttribute = (branch: Branch) => ({
		name: branch.attr.name,
		payload: splice(bytes, branch.attr.field, [
			{ field: branch.attr.gField, chunks: withBranchOutputs(bytes, branch.attr.gField, branch.search.softmax) }
		])
	});
	const ifNode = rewriteNode(bytes, plan.node, {
		outputs: [...plan.node.outputs, ...names],
		attributes: [branchAttribute(plan.noCache), branchAttribute(plan.cache)]
	});
	return {
		bytes: rewriteModel(bytes, model, [{ node: plan.node, payload: ifNode }], values),
		outputs
	};
}

/** Why the branches' Softmax nodes cannot be paired layer by layer as If outputs, if they cannot. */
function pairingProblem(noCache: AttentionSoftmax[], cache: AttentionSoftmax[]): string | undefined {
	if (noCache.length !== cache.length) {
		return `${noCache.length} attention Softmax nodes in one branch, ${cache.length} in the other`;
	}
	if (noCache.some((s, i) => s.elemType !== cache[i].elemType)) {
		return 'the branches compute attention in different element types';
	}
	return undefined;
}

/** The branch graph field with its Softmax outputs appended to its outputs. */
function withBranchOutputs(bytes: Uint8Array, graphField: Field, softmax: AttentionSoftmax[]): Uint8Array[] {
	const outputs = softmax.flatMap((s) => messageField(12, [encodeValueInfo(s.node.outputs[0], s.elemType)]));
	return messageField(6, [bytes.subarray(graphField.start, graphField.end), ...outputs]);
}

/**
 * One shape for the numbers the engine needs from a model's config.json, whatever the architecture calls them
 * (gpt2: n_layer/n_head/n_embd/n_positions, bert/llama/qwen2: num_hidden_layers/num_attention_heads/…).
 */
export interface ModelDimensions {
	modelType: string;
	layers: number;
	heads: number;
	/** Heads of the key/value projections: fewer than `heads` under grouped-query attention. */
	kvHeads: number;
	/** Size of one head's key/value vectors (the last dim of past_key_values.*). */
	headDim: number;
	hidden: number;
	/** Longest sequence the position embeddings cover; undefined when the config does not say (RoPE without a limit). */
	maxPositions: number | undefined;
	/** Causal language model (attends only to earlier tokens). */
	isDecoder: boolean;
}

export class ConfigError extends Error {
	override name = 'ConfigError';
}

const LAYER_KEYS = ['num_hidden_layers', 'n_layer', 'num_layers', 'n_layers'];
const HEAD_KEYS = ['num_attention_heads', 'n_head', 'num_heads', 'n_heads'];
const KV_HEAD_KEYS = ['num_key_value_heads', 'n_kv_heads', 'num_kv_heads'];
const HIDDEN_KEYS = ['hidden_size', 'n_embd', 'd_model', 'dim'];
const MAX_POSITION_KEYS = ['max_position_embeddings', 'n_positions', 'n_ctx', 'max_seq_len', 'seq_length'];
const DECODER_ARCHITECTURE = /(ForCausalLM|LMHeadModel)$/;

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null;
}

function positiveInteger(config: Record<string, unknown>, keys: readonly string[]): number | undefined {
	for (const key of keys) {
		const value = config[key];
		if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
	}
	return undefined;
}

function required(config: Record<string, unknown>, keys: readonly string[], what: string): number {
	const value = positiveInteger(config, keys);
	if (value === undefined) throw new ConfigError(`config.json does not give the ${what} (looked for ${keys.join(', ')})`);
	return value;
}

function declaresDecoder(config: Record<string, unknown>): boolean {
	if (config.is_decoder === true) return true;
	const architectures = config.architectures;
	return Array.isArray(architectures) && architectures.some((a) => typeof a === 'string' && DECODER_ARCHITECTURE.test(a));
}

/** Config keys only image, video and audio models have (pixels, patches, frames, mel bins, sample rate). */
const NON_TEXT_KEYS = ['image_size', 'num_channels', 'patch_size', 'num_frames', 'num_mel_bins', 'sampling_rate'];
const NON_TEXT_ARCHITECTURE = /Image|Vision|Audio|Speech|CTC|Video|ObjectDetection|Segmentation|Depth/;

/**
 * Why a config.json is not a text model's (e.g. "ViTForImageClassification reads images"), or undefined.
 * Checked before anything large is downloaded; multimodal configs keep their text part in text_config.
 */
export function nonTextModelReason(config: unknown): string | undefined {
	if (!isRecord(config)) return undefined;
	const architectures = Array.isArray(config.architectures) ? config.architectures.filter((a) => typeof a === 'string') : [];
	const architecture = architectures.find((a) => NON_TEXT_ARCHITECTURE.test(a));
	const modelType = typeof config.model_type === 'string' ? config.model_type : 'unknown';
	if (architecture) return `${architecture} (model type "${modelType}") does not read text`;
	const key = NON_TEXT_KEYS.find((k) => k in config);
	return key ? `model type "${modelType}" has "${key}" in its config, which only image, video and audio models have` : undefined;
}

/** Reads a parsed config.json (or transformers.js's PretrainedConfig, which carries the same fields). */
export function normaliseConfig(config: unknown): ModelDimensions {
	if (!isRecord(config)) throw new ConfigError('config.json is not a JSON object');
	const layers = required(config, LAYER_KEYS, 'number of layers');
	const heads = required(config, HEAD_KEYS, 'number of attention heads');
	const hidden = required(config, HIDDEN_KEYS, 'hidden size');
	// Falcon-style multi_query means a single shared key/value head.
	const kvHeads = positiveInteger(config, KV_HEAD_KEYS) ?? (config.multi_query === true ? 1 : heads);
	return {
		modelType: typeof config.model_type === 'string' ? config.model_type : 'unknown',
		layers,
		heads,
		kvHeads,
		headDim: positiveInteger(config, ['head_dim']) ?? hidden / heads,
		hidden,
		maxPositions: positiveInteger(config, MAX_POSITION_KEYS),
		isDecoder: declaresDecoder(config)
	};
}

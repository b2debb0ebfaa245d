import { describe, expect, it } from 'vitest';
import { ConfigError, nonTextModelReason, normaliseConfig } from './model-config';

describe('normaliseConfig', () => {
	it('reads GPT-2 names', () => {
		const config = {
			model_type: 'gpt2',
			architectures: ['GPT2LMHeadModel'],
			n_layer: 2,
			n_head: 4,
			n_embd: 32,
			n_positions: 64
		};
		expect(normaliseConfig(config)).toEqual({
			modelType: 'gpt2',
			layers: 2,
			heads: 4,
			kvHeads: 4,
			headDim: 8,
			hidden: 32,
			maxPositions: 64,
			isDecoder: true
		});
	});

	it('reads BERT names as an encoder', () => {
		const config = {
			model_type: 'bert',
			architectures: ['BertModel'],
			num_hidden_layers: 3,
			num_attention_heads: 2,
			hidden_size: 16,
			max_position_embeddings: 128
		};
		expect(normaliseConfig(config)).toMatchObject({ layers: 3, heads: 2, kvHeads: 2, headDim: 8, maxPositions: 128, isDecoder: false });
	});

	it('reads grouped-query heads and an explicit head_dim (llama, qwen2)', () => {
		const config = {
			model_type: 'qwen2',
			architectures: ['Qwen2ForCausalLM'],
			num_hidden_layers: 24,
			num_attention_heads: 14,
			num_key_value_heads: 2,
			hidden_size: 896,
			head_dim: 64,
			max_position_embeddings: 32768
		};
		expect(normaliseConfig(config)).toMatchObject({ heads: 14, kvHeads: 2, headDim: 64, isDecoder: true });
	});

	it('treats multi_query as one key/value head', () => {
		const config = { n_layer: 1, n_head: 8, hidden_size: 64, multi_query: true };
		expect(normaliseConfig(config).kvHeads).toBe(1);
	});

	it('leaves maxPositions undefined when the config has no limit', () => {
		expect(normaliseConfig({ n_layer: 1, n_head: 1, n_embd: 8 }).maxPositions).toBeUndefined();
	});

	it('names the missing field', () => {
		expect(() => normaliseConfig({ n_layer: 1, n_embd: 8 })).toThrow(ConfigError);
		expect(() => normaliseConfig({ n_layer: 1, n_embd: 8 })).toThrow(/attention heads/);
		expect(() => normaliseConfig('nope')).toThrow(/not a JSON object/);
	});
});

describe('nonTextModelReason', () => {
	it('names vision and audio models and passes text models', () => {
		expect(nonTextModelReason({ model_type: 'vit', architectures: ['ViTForImageClassification'], image_size: 32 })).toMatch(
			/ViTForImageClassification .*does not read text/
		);
		expect(nonTextModelReason({ model_type: 'whisper', num_mel_bins: 80 })).toMatch(/num_mel_bins/);
		expect(nonTextModelReason({ model_type: 'gpt2', architectures: ['GPT2LMHeadModel'], n_layer: 2 })).toBeUndefined();
		expect(nonTextModelReason({ model_type: 'bert', architectures: ['BertForMaskedLM'] })).toBeUndefined();
	});
});

"""Small PyTorch versions of Hugging Face's GPT-2, BERT, DistilBERT, RoBERTa, LLaMA and Qwen2.

Module and parameter names follow transformers' GPT2LMHeadModel, BertForMaskedLM,
DistilBertForMaskedLM, RobertaForMaskedLM, LlamaForCausalLM and Qwen2ForCausalLM, so state dicts
line up with the Hub's and the exported ONNX graphs look like the Hub's exports. Every forward can also return the attention probabilities (the softmax
outputs): they come from the same code that the ONNX export traces, never from a second
implementation.

Conventions shared by the models:
- attention_mask is [batch, key_length] of 1 (attend) / 0 (padding); key_length counts the
  past tokens too.
- past_key_values / presents are lists with one (key, value) pair per layer, each
  [batch, kv_heads, length, head_dim].
"""

import math
from dataclasses import asdict, dataclass, field
from typing import List, Optional, Tuple

import torch
import torch.nn.functional as F
from torch import nn

KeyValue = Tuple[torch.Tensor, torch.Tensor]


@dataclass
class ModelOutput:
    logits: torch.Tensor
    presents: List[KeyValue] = field(default_factory=list)
    # One [batch, heads, queries, keys] tensor per layer, filled when output_attentions=True.
    attentions: List[torch.Tensor] = field(default_factory=list)


def require_activation(name: str, supported: str) -> None:
    """The activation fields exist for config.json; only transformers' default is implemented."""
    if name != supported:
        raise ValueError(f"activation {name!r} is not implemented (only {supported!r})")


def additive_padding_mask(attention_mask: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """[batch, keys] 1/0 mask -> [batch, 1, 1, keys] with 0 to attend and finfo.min to ignore."""
    mask = attention_mask[:, None, None, :].to(dtype)
    return (1.0 - mask) * torch.finfo(dtype).min


def split_heads(x: torch.Tensor, heads: int, head_dim: int) -> torch.Tensor:
    """[batch, seq, heads * head_dim] -> [batch, heads, seq, head_dim]."""
    return x.view(x.size(0), x.size(1), heads, head_dim).permute(0, 2, 1, 3)


def merge_heads(x: torch.Tensor) -> torch.Tensor:
    """[batch, heads, seq, head_dim] -> [batch, seq, heads * head_dim]."""
    x = x.permute(0, 2, 1, 3).contiguous()
    return x.view(x.size(0), x.size(1), x.size(2) * x.size(3))


def append_past(layer_past: Optional[KeyValue], key: torch.Tensor, value: torch.Tensor) -> KeyValue:
    if layer_past is None:
        return key, value
    return torch.cat((layer_past[0], key), dim=-2), torch.cat((layer_past[1], value), dim=-2)


def past_length(past_key_values: Optional[List[KeyValue]]) -> int:
    return past_key_values[0][0].size(-2) if past_key_values else 0


def default_position_ids(input_ids: torch.Tensor, past: int) -> torch.Tensor:
    return torch.arange(past, past + input_ids.size(1), device=input_ids.device).unsqueeze(0)


# ----------------------------------------------------------------------------------------------
# GPT-2
# ----------------------------------------------------------------------------------------------


@dataclass
class GPT2Config:
    model_type = "gpt2"  # class attributes, not fields: they name the config.json family
    architecture = "GPT2LMHeadModel"

    vocab_size: int = 50257
    n_positions: int = 1024
    n_embd: int = 768
    n_layer: int = 12
    n_head: int = 12
    n_inner: Optional[int] = None  # MLP width; None means 4 * n_embd, as in transformers
    activation_function: str = "gelu_new"
    layer_norm_epsilon: float = 1e-5
    initializer_range: float = 0.02
    resid_pdrop: float = 0.0
    embd_pdrop: float = 0.0
    attn_pdrop: float = 0.0
    tie_word_embeddings: bool = True
    bos_token_id: int = 50256
    eos_token_id: int = 50256


def gelu_new(x: torch.Tensor) -> torch.Tensor:
    """GPT-2's tanh approximation of GELU (transformers' NewGELUActivation)."""
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


class Conv1D(nn.Module):
    """GPT-2's linear layer: weight stored [in, out], y = x @ W + b (exports as Gemm)."""

    def __init__(self, nf: int, nx: int):
        super().__init__()
        self.nf = nf
        self.weight = nn.Parameter(torch.empty(nx, nf))
        self.bias = nn.Parameter(torch.zeros(nf))
        nn.init.normal_(self.weight, std=0.02)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        size_out = x.size()[:-1] + (self.nf,)
        x = torch.addmm(self.bias, x.view(-1, x.size(-1)), self.weight)
        return x.view(size_out)


class GPT2Attention(nn.Module):
    def __init__(self, config: GPT2Config):
        super().__init__()
        self.num_heads = config.n_head
        self.head_dim = config.n_embd // config.n_head
        self.split_size = config.n_embd
        self.c_attn = Conv1D(3 * config.n_embd, config.n_embd)
        self.c_proj = Conv1D(config.n_embd, config.n_embd)
        self.attn_dropout = nn.Dropout(config.attn_pdrop)
        self.resid_dropout = nn.Dropout(config.resid_pdrop)

    def forward(self, hidden_states, causal_mask, attention_mask, layer_past):
        query, key, value = self.c_attn(hidden_states).split(self.split_size, dim=2)
        query = split_heads(query, self.num_heads, self.head_dim)
        key = split_heads(key, self.num_heads, self.head_dim)
        value = split_heads(value, self.num_heads, self.head_dim)
        key, value = append_past(layer_past, key, value)

        scores = torch.matmul(query, key.transpose(-1, -2)) / math.sqrt(self.head_dim)
        # The new queries are the last query_length rows of the lower-triangular mask.
        query_length, key_length = query.size(-2), key.size(-2)
        causal = causal_mask[:, :, key_length - query_length : key_length, :key_length]
        mask_value = torch.full([], torch.finfo(scores.dtype).min, dtype=scores.dtype)
        scores = torch.where(causal, scores, mask_value)
        if attention_mask is not None:
            scores = scores + attention_mask
        probs = F.softmax(scores, dim=-1)
        output = torch.matmul(self.attn_dropout(probs), value)
        output = self.resid_dropout(self.c_proj(merge_heads(output)))
        return output, (key, value), probs


class GPT2MLP(nn.Module):
    def __init__(self, config: GPT2Config):
        super().__init__()
        inner = config.n_inner or 4 * config.n_embd
        self.c_fc = Conv1D(inner, config.n_embd)
        self.c_proj = Conv1D(config.n_embd, inner)
        self.dropout = nn.Dropout(config.resid_pdrop)

    def forward(self, x):
        return self.dropout(self.c_proj(gelu_new(self.c_fc(x))))


class GPT2Block(nn.Module):
    def __init__(self, config: GPT2Config):
        super().__init__()
        self.ln_1 = nn.LayerNorm(config.n_embd, eps=config.layer_norm_epsilon)
        self.attn = GPT2Attention(config)
        self.ln_2 = nn.LayerNorm(config.n_embd, eps=config.layer_norm_epsilon)
        self.mlp = GPT2MLP(config)

    def forward(self, hidden_states, causal_mask, attention_mask, layer_past):
        attn_output, present, probs = self.attn(self.ln_1(hidden_states), causal_mask, attention_mask, layer_past)
        hidden_states = hidden_states + attn_output
        hidden_states = hidden_states + self.mlp(self.ln_2(hidden_states))
        return hidden_states, present, probs


class GPT2Model(nn.Module):
    def __init__(self, config: GPT2Config):
        super().__init__()
        self.wte = nn.Embedding(config.vocab_size, config.n_embd)
        self.wpe = nn.Embedding(config.n_positions, config.n_embd)
        self.drop = nn.Dropout(config.embd_pdrop)
        self.h = nn.ModuleList(GPT2Block(config) for _ in range(config.n_layer))
        self.ln_f = nn.LayerNorm(config.n_embd, eps=config.layer_norm_epsilon)
        # transformers keeps one copy per layer (attn.bias); one shared copy keeps the ONNX
        # free of duplicated initializers.
        positions = config.n_positions
        causal = torch.tril(torch.ones(positions, positions, dtype=torch.bool)).view(1, 1, positions, positions)
        self.register_buffer("causal_mask", causal, persistent=False)

    def forward(self, input_ids, attention_mask=None, position_ids=None, past_key_values=None, output_attentions=False):
        past = past_length(past_key_values)
        if position_ids is None:
            position_ids = default_position_ids(input_ids, past)
        hidden_states = self.drop(self.wte(input_ids) + self.wpe(position_ids))
        additive_mask = None if attention_mask is None else additive_padding_mask(attention_mask, hidden_states.dtype)

        presents, attentions = [], []
        for i, block in enumerate(self.h):
            layer_past = past_key_values[i] if past_key_values else None
            hidden_states, present, probs = block(hidden_states, self.causal_mask, additive_mask, layer_past)
            presents.append(present)
            if output_attentions:
                attentions.append(probs)
        return self.ln_f(hidden_states), presents, attentions


class GPT2LMHeadModel(nn.Module):
    def __init__(self, config: GPT2Config):
        super().__init__()
        require_activation(config.activation_function, "gelu_new")
        self.config = config
        self.transformer = GPT2Model(config)
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        if config.tie_word_embeddings:
            self.lm_head.weight = self.transformer.wte.weight
        init_weights(self, config.initializer_range)

    def forward(self, input_ids, attention_mask=None, position_ids=None, past_key_values=None, output_attentions=False):
        hidden_states, presents, attentions = self.transformer(
            input_ids, attention_mask, position_ids, past_key_values, output_attentions
        )
        return ModelOutput(self.lm_head(hidden_states), presents, attentions)


# ----------------------------------------------------------------------------------------------
# BERT
# ----------------------------------------------------------------------------------------------


@dataclass
class BertConfig:
    model_type = "bert"
    architecture = "BertForMaskedLM"

    vocab_size: int = 30522
    hidden_size: int = 768
    num_hidden_layers: int = 12
    num_attention_heads: int = 12
    intermediate_size: int = 3072
    hidden_act: str = "gelu"
    max_position_embeddings: int = 512
    type_vocab_size: int = 2
    layer_norm_eps: float = 1e-12
    initializer_range: float = 0.02
    hidden_dropout_prob: float = 0.0
    attention_probs_dropout_prob: float = 0.0
    tie_word_embeddings: bool = True
    pad_token_id: int = 0


class BertEmbeddings(nn.Module):
    def __init__(self, config: BertConfig):
        super().__init__()
        self.word_embeddings = nn.Embedding(config.vocab_size, config.hidden_size, padding_idx=config.pad_token_id)
        self.position_embeddings = nn.Embedding(config.max_position_embeddings, config.hidden_size)
        self.token_type_embeddings = nn.Embedding(config.type_vocab_size, config.hidden_size)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)
        positions = torch.arange(config.max_position_embeddings).unsqueeze(0)
        self.register_buffer("position_ids", positions, persistent=False)

    def forward(self, input_ids, token_type_ids):
        position_ids = self.position_ids_for(input_ids)
        embeddings = self.word_embeddings(input_ids) + self.token_type_embeddings(token_type_ids)
        embeddings = embeddings + self.position_embeddings(position_ids)
        return self.dropout(self.LayerNorm(embeddings))

    def position_ids_for(self, input_ids: torch.Tensor) -> torch.Tensor:
        return self.position_ids[:, : input_ids.size(1)]


class BertSelfAttention(nn.Module):
    def __init__(self, config: BertConfig):
        super().__init__()
        self.num_attention_heads = config.num_attention_heads
        self.attention_head_size = config.hidden_size // config.num_attention_heads
        self.query = nn.Linear(config.hidden_size, config.hidden_size)
        self.key = nn.Linear(config.hidden_size, config.hidden_size)
        self.value = nn.Linear(config.hidden_size, config.hidden_size)
        self.dropout = nn.Dropout(config.attention_probs_dropout_prob)

    def forward(self, hidden_states, attention_mask):
        heads, size = self.num_attention_heads, self.attention_head_size
        query = split_heads(self.query(hidden_states), heads, size)
        key = split_heads(self.key(hidden_states), heads, size)
        value = split_heads(self.value(hidden_states), heads, size)
        scores = torch.matmul(query, key.transpose(-1, -2)) / math.sqrt(size)
        if attention_mask is not None:
            scores = scores + attention_mask
        probs = F.softmax(scores, dim=-1)
        return merge_heads(torch.matmul(self.dropout(probs), value)), probs


class BertSelfOutput(nn.Module):
    """Dense, dropout, then the post-norm residual LayerNorm (used after attention and MLP)."""

    def __init__(self, config: BertConfig, in_features: int):
        super().__init__()
        self.dense = nn.Linear(in_features, config.hidden_size)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)

    def forward(self, hidden_states, input_tensor):
        return self.LayerNorm(self.dropout(self.dense(hidden_states)) + input_tensor)


class BertAttention(nn.Module):
    def __init__(self, config: BertConfig):
        super().__init__()
        self.self = BertSelfAttention(config)
        self.output = BertSelfOutput(config, config.hidden_size)

    def forward(self, hidden_states, attention_mask):
        context, probs = self.self(hidden_states, attention_mask)
        return self.output(context, hidden_states), probs


class BertIntermediate(nn.Module):
    def __init__(self, config: BertConfig):
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.intermediate_size)

    def forward(self, hidden_states):
        return F.gelu(self.dense(hidden_states))


class BertLayer(nn.Module):
    def __init__(self, config: BertConfig):
        super().__init__()
        self.attention = BertAttention(config)
        self.intermediate = BertIntermediate(config)
        self.output = BertSelfOutput(config, config.intermediate_size)  # transformers' BertOutput

    def forward(self, hidden_states, attention_mask):
        attention_output, probs = self.attention(hidden_states, attention_mask)
        return self.output(self.intermediate(attention_output), attention_output), probs


class BertEncoder(nn.Module):
    def __init__(self, config: BertConfig):
        super().__init__()
        self.layer = nn.ModuleList(BertLayer(config) for _ in range(config.num_hidden_layers))

    def forward(self, hidden_states, attention_mask, output_attentions):
        attentions = []
        for layer in self.layer:
            hidden_states, probs = layer(hidden_states, attention_mask)
            if output_attentions:
                attentions.append(probs)
        return hidden_states, attentions


class BertModel(nn.Module):
    """BertModel without the pooler, as BertForMaskedLM builds it."""

    embeddings_class = BertEmbeddings  # RoBERTa swaps in its position-id rule

    def __init__(self, config: BertConfig):
        super().__init__()
        self.embeddings = self.embeddings_class(config)
        self.encoder = BertEncoder(config)

    def forward(self, input_ids, attention_mask=None, token_type_ids=None, output_attentions=False):
        if token_type_ids is None:
            token_type_ids = torch.zeros_like(input_ids)
        hidden_states = self.embeddings(input_ids, token_type_ids)
        additive_mask = None if attention_mask is None else additive_padding_mask(attention_mask, hidden_states.dtype)
        return self.encoder(hidden_states, additive_mask, output_attentions)


class BertPredictionHeadTransform(nn.Module):
    def __init__(self, config: BertConfig):
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.hidden_size)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)

    def forward(self, hidden_states):
        return self.LayerNorm(F.gelu(self.dense(hidden_states)))


class BertLMPredictionHead(nn.Module):
    def __init__(self, config: BertConfig):
        super().__init__()
        self.transform = BertPredictionHeadTransform(config)
        self.decoder = nn.Linear(config.hidden_size, config.vocab_size, bias=False)
        # transformers names the output bias both cls.predictions.bias and .decoder.bias.
        self.bias = nn.Parameter(torch.zeros(config.vocab_size))
        self.decoder.bias = self.bias

    def forward(self, hidden_states):
        return self.decoder(self.transform(hidden_states))


class BertOnlyMLMHead(nn.Module):
    def __init__(self, config: BertConfig):
        super().__init__()
        self.predictions = BertLMPredictionHead(config)

    def forward(self, hidden_states):
        return self.predictions(hidden_states)


class BertForMaskedLM(nn.Module):
    def __init__(self, config: BertConfig):
        super().__init__()
        require_activation(config.hidden_act, "gelu")
        self.config = config
        self.bert = BertModel(config)
        self.cls = BertOnlyMLMHead(config)
        if config.tie_word_embeddings:
            self.cls.predictions.decoder.weight = self.bert.embeddings.word_embeddings.weight
        init_weights(self, config.initializer_range)

    def forward(self, input_ids, attention_mask=None, token_type_ids=None, output_attentions=False):
        hidden_states, attentions = self.bert(input_ids, attention_mask, token_type_ids, output_attentions)
        return ModelOutput(self.cls(hidden_states), [], attentions)


# ----------------------------------------------------------------------------------------------
# DistilBERT
# ----------------------------------------------------------------------------------------------


@dataclass
class DistilBertConfig:
    model_type = "distilbert"
    architecture = "DistilBertForMaskedLM"

    vocab_size: int = 30522
    max_position_embeddings: int = 512
    sinusoidal_pos_embds: bool = False
    n_layers: int = 6
    n_heads: int = 12
    dim: int = 768
    hidden_dim: int = 3072
    dropout: float = 0.0
    attention_dropout: float = 0.0
    activation: str = "gelu"
    initializer_range: float = 0.02
    qa_dropout: float = 0.0
    seq_classif_dropout: float = 0.0
    tie_word_embeddings: bool = True
    pad_token_id: int = 0


DISTILBERT_LAYER_NORM_EPS = 1e-12  # fixed in transformers, not a config key


class DistilBertEmbeddings(nn.Module):
    """transformers' distilbert Embeddings: word + learned position embeddings, no token types."""

    def __init__(self, config: DistilBertConfig):
        super().__init__()
        self.word_embeddings = nn.Embedding(config.vocab_size, config.dim, padding_idx=config.pad_token_id)
        self.position_embeddings = nn.Embedding(config.max_position_embeddings, config.dim)
        self.LayerNorm = nn.LayerNorm(config.dim, eps=DISTILBERT_LAYER_NORM_EPS)
        self.dropout = nn.Dropout(config.dropout)
        positions = torch.arange(config.max_position_embeddings).unsqueeze(0)
        self.register_buffer("position_ids", positions, persistent=False)

    def forward(self, input_ids):
        position_ids = self.position_ids[:, : input_ids.size(1)]
        embeddings = self.word_embeddings(input_ids) + self.position_embeddings(position_ids)
        return self.dropout(self.LayerNorm(embeddings))


class DistilBertSelfAttention(nn.Module):
    """transformers' MultiHeadSelfAttention: Q is scaled before Q·Kᵀ, and padded keys are
    masked_fill'ed with finfo.min instead of adding a mask."""

    def __init__(self, config: DistilBertConfig):
        super().__init__()
        self.n_heads = config.n_heads
        self.dim = config.dim
        self.q_lin = nn.Linear(config.dim, config.dim)
        self.k_lin = nn.Linear(config.dim, config.dim)
        self.v_lin = nn.Linear(config.dim, config.dim)
        self.out_lin = nn.Linear(config.dim, config.dim)
        self.dropout = nn.Dropout(config.attention_dropout)

    def forward(self, hidden_states, attention_mask):
        head_dim = self.dim // self.n_heads
        query = split_heads(self.q_lin(hidden_states), self.n_heads, head_dim) / math.sqrt(head_dim)
        key = split_heads(self.k_lin(hidden_states), self.n_heads, head_dim)
        value = split_heads(self.v_lin(hidden_states), self.n_heads, head_dim)
        scores = torch.matmul(query, key.transpose(2, 3))
        masked = (attention_mask == 0).view(attention_mask.size(0), 1, 1, -1).expand_as(scores)
        scores = scores.masked_fill(masked, torch.tensor(torch.finfo(scores.dtype).min))
        probs = F.softmax(scores, dim=-1)
        context = merge_heads(torch.matmul(self.dropout(probs), value))
        return self.out_lin(context), probs


class DistilBertFFN(nn.Module):
    def __init__(self, config: DistilBertConfig):
        super().__init__()
        self.lin1 = nn.Linear(config.dim, config.hidden_dim)
        self.lin2 = nn.Linear(config.hidden_dim, config.dim)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x):
        return self.dropout(self.lin2(F.gelu(self.lin1(x))))


class DistilBertBlock(nn.Module):
    """transformers' TransformerBlock (post-norm residuals)."""

    def __init__(self, config: DistilBertConfig):
        super().__init__()
        self.attention = DistilBertSelfAttention(config)
        self.sa_layer_norm = nn.LayerNorm(config.dim, eps=DISTILBERT_LAYER_NORM_EPS)
        self.ffn = DistilBertFFN(config)
        self.output_layer_norm = nn.LayerNorm(config.dim, eps=DISTILBERT_LAYER_NORM_EPS)

    def forward(self, hidden_states, attention_mask):
        attention_output, probs = self.attention(hidden_states, attention_mask)
        attention_output = self.sa_layer_norm(attention_output + hidden_states)
        return self.output_layer_norm(self.ffn(attention_output) + attention_output), probs


class DistilBertTransformer(nn.Module):
    def __init__(self, config: DistilBertConfig):
        super().__init__()
        self.layer = nn.ModuleList(DistilBertBlock(config) for _ in range(config.n_layers))

    def forward(self, hidden_states, attention_mask, output_attentions):
        attentions = []
        for layer in self.layer:
            hidden_states, probs = layer(hidden_states, attention_mask)
            if output_attentions:
                attentions.append(probs)
        return hidden_states, attentions


class DistilBertModel(nn.Module):
    def __init__(self, config: DistilBertConfig):
        super().__init__()
        self.embeddings = DistilBertEmbeddings(config)
        self.transformer = DistilBertTransformer(config)

    def forward(self, input_ids, attention_mask=None, output_attentions=False):
        if attention_mask is None:
            attention_mask = torch.ones_like(input_ids)
        return self.transformer(self.embeddings(input_ids), attention_mask, output_attentions)


class DistilBertForMaskedLM(nn.Module):
    def __init__(self, config: DistilBertConfig):
        super().__init__()
        require_activation(config.activation, "gelu")
        if config.sinusoidal_pos_embds:
            raise ValueError("sinusoidal_pos_embds is not implemented")
        self.config = config
        self.distilbert = DistilBertModel(config)
        self.vocab_transform = nn.Linear(config.dim, config.dim)
        self.vocab_layer_norm = nn.LayerNorm(config.dim, eps=DISTILBERT_LAYER_NORM_EPS)
        self.vocab_projector = nn.Linear(config.dim, config.vocab_size)
        if config.tie_word_embeddings:
            self.vocab_projector.weight = self.distilbert.embeddings.word_embeddings.weight
        init_weights(self, config.initializer_range)

    def forward(self, input_ids, attention_mask=None, output_attentions=False):
        hidden_states, attentions = self.distilbert(input_ids, attention_mask, output_attentions)
        hidden_states = self.vocab_layer_norm(F.gelu(self.vocab_transform(hidden_states)))
        return ModelOutput(self.vocab_projector(hidden_states), [], attentions)


# ----------------------------------------------------------------------------------------------
# RoBERTa: BERT's encoder with its own position ids and LM head
# ----------------------------------------------------------------------------------------------


@dataclass
class RobertaConfig(BertConfig):
    model_type = "roberta"
    architecture = "RobertaForMaskedLM"

    vocab_size: int = 50265
    max_position_embeddings: int = 514  # 512 positions after padding_idx + 1
    type_vocab_size: int = 1
    layer_norm_eps: float = 1e-5
    pad_token_id: int = 1
    bos_token_id: int = 0
    eos_token_id: int = 2


def roberta_position_ids(input_ids: torch.Tensor, padding_idx: int) -> torch.Tensor:
    """Non-padding tokens count up from padding_idx + 1; padding tokens get padding_idx."""
    mask = input_ids.ne(padding_idx).int()
    incremental = torch.cumsum(mask, dim=1).type_as(mask) * mask
    return incremental.long() + padding_idx


class RobertaEmbeddings(BertEmbeddings):
    def __init__(self, config: RobertaConfig):
        super().__init__(config)
        self.padding_idx = config.pad_token_id
        self.position_embeddings = nn.Embedding(config.max_position_embeddings, config.hidden_size,
                                                padding_idx=self.padding_idx)

    def position_ids_for(self, input_ids: torch.Tensor) -> torch.Tensor:
        return roberta_position_ids(input_ids, self.padding_idx)


class RobertaModel(BertModel):
    embeddings_class = RobertaEmbeddings


class RobertaLMHead(nn.Module):
    def __init__(self, config: RobertaConfig):
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.hidden_size)
        self.layer_norm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.decoder = nn.Linear(config.hidden_size, config.vocab_size, bias=False)
        self.bias = nn.Parameter(torch.zeros(config.vocab_size))
        self.decoder.bias = self.bias

    def forward(self, hidden_states):
        return self.decoder(self.layer_norm(F.gelu(self.dense(hidden_states))))


class RobertaForMaskedLM(nn.Module):
    def __init__(self, config: RobertaConfig):
        super().__init__()
        require_activation(config.hidden_act, "gelu")
        self.config = config
        self.roberta = RobertaModel(config)
        self.lm_head = RobertaLMHead(config)
        if config.tie_word_embeddings:
            self.lm_head.decoder.weight = self.roberta.embeddings.word_embeddings.weight
        init_weights(self, config.initializer_range)

    def forward(self, input_ids, attention_mask=None, token_type_ids=None, output_attentions=False):
        hidden_states, attentions = self.roberta(input_ids, attention_mask, token_type_ids, output_attentions)
        return ModelOutput(self.lm_head(hidden_states), [], attentions)


# ----------------------------------------------------------------------------------------------
# LLaMA
# ----------------------------------------------------------------------------------------------


@dataclass
class LlamaConfig:
    model_type = "llama"
    architecture = "LlamaForCausalLM"

    vocab_size: int = 32000
    hidden_size: int = 4096
    intermediate_size: int = 11008
    num_hidden_layers: int = 32
    num_attention_heads: int = 32
    num_key_value_heads: int = 32
    head_dim: int = 128
    hidden_act: str = "silu"
    max_position_embeddings: int = 2048
    rms_norm_eps: float = 1e-6
    rope_theta: float = 10000.0
    attention_bias: bool = False
    mlp_bias: bool = False
    attention_dropout: float = 0.0
    tie_word_embeddings: bool = False
    initializer_range: float = 0.02
    bos_token_id: int = 1
    eos_token_id: int = 2

    @property
    def o_proj_bias(self) -> bool:
        """LLaMA's attention_bias covers all four projections (Qwen2 differs)."""
        return self.attention_bias


class LlamaRMSNorm(nn.Module):
    def __init__(self, hidden_size: int, eps: float):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(hidden_size))
        self.variance_epsilon = eps

    def forward(self, hidden_states):
        input_dtype = hidden_states.dtype
        hidden_states = hidden_states.to(torch.float32)
        variance = hidden_states.pow(2).mean(-1, keepdim=True)
        hidden_states = hidden_states * torch.rsqrt(variance + self.variance_epsilon)
        return self.weight * hidden_states.to(input_dtype)


class LlamaRotaryEmbedding(nn.Module):
    def __init__(self, config: LlamaConfig):
        super().__init__()
        dim = config.head_dim
        inv_freq = 1.0 / (config.rope_theta ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))
        self.register_buffer("inv_freq", inv_freq, persistent=False)

    def forward(self, position_ids, dtype):
        """position_ids [batch, seq] -> cos, sin [batch, seq, head_dim]."""
        inv_freq = self.inv_freq[None, :, None].expand(position_ids.size(0), -1, 1)
        freqs = (inv_freq @ position_ids[:, None, :].float()).transpose(1, 2)
        emb = torch.cat((freqs, freqs), dim=-1)
        return emb.cos().to(dtype), emb.sin().to(dtype)


def rotate_half(x: torch.Tensor) -> torch.Tensor:
    half = x.size(-1) // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def apply_rotary_pos_emb(q, k, cos, sin):
    cos, sin = cos.unsqueeze(1), sin.unsqueeze(1)  # broadcast over heads
    return (q * cos) + (rotate_half(q) * sin), (k * cos) + (rotate_half(k) * sin)


def repeat_kv(hidden_states: torch.Tensor, n_rep: int) -> torch.Tensor:
    """[batch, kv_heads, seq, head_dim] -> [batch, kv_heads * n_rep, seq, head_dim]."""
    if n_rep == 1:
        return hidden_states
    batch, kv_heads, seq, head_dim = hidden_states.shape
    hidden_states = hidden_states[:, :, None, :, :].expand(batch, kv_heads, n_rep, seq, head_dim)
    return hidden_states.reshape(batch, kv_heads * n_rep, seq, head_dim)


def causal_additive_mask(attention_mask: torch.Tensor, query_length: int, dtype: torch.dtype) -> torch.Tensor:
    """[batch, keys] 1/0 mask -> [batch, 1, queries, keys] additive mask (0 or finfo.min).

    The queries are the last query_length key positions; each sees itself, earlier positions
    and no padding.
    """
    key_length = attention_mask.size(-1)
    key_positions = torch.arange(key_length, device=attention_mask.device)
    query_positions = key_positions[key_length - query_length :]
    causal = key_positions[None, :] <= query_positions[:, None]
    allowed = causal[None, None, :, :] & attention_mask[:, None, None, :].bool()
    return (~allowed).to(dtype) * torch.finfo(dtype).min


class LlamaAttention(nn.Module):
    def __init__(self, config: LlamaConfig):
        super().__init__()
        self.num_heads = config.num_attention_heads
        self.num_key_value_heads = config.num_key_value_heads
        self.head_dim = config.head_dim
        bias = config.attention_bias
        self.q_proj = nn.Linear(config.hidden_size, self.num_heads * self.head_dim, bias=bias)
        self.k_proj = nn.Linear(config.hidden_size, self.num_key_value_heads * self.head_dim, bias=bias)
        self.v_proj = nn.Linear(config.hidden_size, self.num_key_value_heads * self.head_dim, bias=bias)
        self.o_proj = nn.Linear(self.num_heads * self.head_dim, config.hidden_size, bias=config.o_proj_bias)
        self.attention_dropout = nn.Dropout(config.attention_dropout)

    def forward(self, hidden_states, cos, sin, attention_mask, layer_past):
        query = split_heads(self.q_proj(hidden_states), self.num_heads, self.head_dim)
        key = split_heads(self.k_proj(hidden_states), self.num_key_value_heads, self.head_dim)
        value = split_heads(self.v_proj(hidden_states), self.num_key_value_heads, self.head_dim)
        query, key = apply_rotary_pos_emb(query, key, cos, sin)
        key, value = append_past(layer_past, key, value)

        n_rep = self.num_heads // self.num_key_value_heads
        scores = torch.matmul(query, repeat_kv(key, n_rep).transpose(2, 3)) / math.sqrt(self.head_dim)
        if attention_mask is not None:
            scores = scores + attention_mask
        probs = F.softmax(scores, dim=-1, dtype=torch.float32).to(query.dtype)
        output = torch.matmul(self.attention_dropout(probs), repeat_kv(value, n_rep))
        return self.o_proj(merge_heads(output)), (key, value), probs


class LlamaMLP(nn.Module):
    def __init__(self, config: LlamaConfig):
        super().__init__()
        bias = config.mlp_bias
        self.gate_proj = nn.Linear(config.hidden_size, config.intermediate_size, bias=bias)
        self.up_proj = nn.Linear(config.hidden_size, config.intermediate_size, bias=bias)
        self.down_proj = nn.Linear(config.intermediate_size, config.hidden_size, bias=bias)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class LlamaDecoderLayer(nn.Module):
    def __init__(self, config: LlamaConfig):
        super().__init__()
        self.self_attn = LlamaAttention(config)
        self.mlp = LlamaMLP(config)
        self.input_layernorm = LlamaRMSNorm(config.hidden_size, config.rms_norm_eps)
        self.post_attention_layernorm = LlamaRMSNorm(config.hidden_size, config.rms_norm_eps)

    def forward(self, hidden_states, cos, sin, attention_mask, layer_past):
        attn_output, present, probs = self.self_attn(
            self.input_layernorm(hidden_states), cos, sin, attention_mask, layer_past
        )
        hidden_states = hidden_states + attn_output
        hidden_states = hidden_states + self.mlp(self.post_attention_layernorm(hidden_states))
        return hidden_states, present, probs


class LlamaModel(nn.Module):
    def __init__(self, config: LlamaConfig):
        super().__init__()
        self.embed_tokens = nn.Embedding(config.vocab_size, config.hidden_size)
        self.layers = nn.ModuleList(LlamaDecoderLayer(config) for _ in range(config.num_hidden_layers))
        self.norm = LlamaRMSNorm(config.hidden_size, config.rms_norm_eps)
        self.rotary_emb = LlamaRotaryEmbedding(config)

    def forward(self, input_ids, attention_mask=None, position_ids=None, past_key_values=None, output_attentions=False):
        past = past_length(past_key_values)
        if position_ids is None:
            position_ids = default_position_ids(input_ids, past)
        if attention_mask is None:
            shape = (input_ids.size(0), past + input_ids.size(1))
            attention_mask = torch.ones(shape, dtype=torch.long, device=input_ids.device)
        hidden_states = self.embed_tokens(input_ids)
        mask = causal_additive_mask(attention_mask, input_ids.size(1), hidden_states.dtype)
        cos, sin = self.rotary_emb(position_ids, hidden_states.dtype)

        presents, attentions = [], []
        for i, layer in enumerate(self.layers):
            layer_past = past_key_values[i] if past_key_values else None
            hidden_states, present, probs = layer(hidden_states, cos, sin, mask, layer_past)
            presents.append(present)
            if output_attentions:
                attentions.append(probs)
        return self.norm(hidden_states), presents, attentions


class LlamaForCausalLM(nn.Module):
    def __init__(self, config: LlamaConfig):
        super().__init__()
        require_activation(config.hidden_act, "silu")
        self.config = config
        self.model = LlamaModel(config)
        self.lm_head = nn.Linear(config.hidden_size, config.vocab_size, bias=False)
        if config.tie_word_embeddings:
            self.lm_head.weight = self.model.embed_tokens.weight
        init_weights(self, config.initializer_range)

    def forward(self, input_ids, attention_mask=None, position_ids=None, past_key_values=None, output_attentions=False):
        hidden_states, presents, attentions = self.model(
            input_ids, attention_mask, position_ids, past_key_values, output_attentions
        )
        return ModelOutput(self.lm_head(hidden_states), presents, attentions)


# ----------------------------------------------------------------------------------------------
# Qwen2: LLaMA with q/k/v biases
# ----------------------------------------------------------------------------------------------


@dataclass
class Qwen2Config:
    model_type = "qwen2"
    architecture = "Qwen2ForCausalLM"
    # Fixed in Qwen2 (not config keys): biases on q/k/v only, none on o_proj or the MLP.
    attention_bias = True
    o_proj_bias = False
    mlp_bias = False

    vocab_size: int = 151936
    hidden_size: int = 4096
    intermediate_size: int = 22016
    num_hidden_layers: int = 32
    num_attention_heads: int = 32
    num_key_value_heads: int = 32
    hidden_act: str = "silu"
    max_position_embeddings: int = 32768
    initializer_range: float = 0.02
    rms_norm_eps: float = 1e-6
    tie_word_embeddings: bool = False
    rope_theta: float = 10000.0
    use_sliding_window: bool = False
    sliding_window: int = 4096
    max_window_layers: int = 28
    attention_dropout: float = 0.0
    bos_token_id: int = 151643
    eos_token_id: int = 151643

    @property
    def head_dim(self) -> int:
        return self.hidden_size // self.num_attention_heads


class Qwen2ForCausalLM(LlamaForCausalLM):
    """Same modules and names as LLaMA; Qwen2Config switches the q/k/v biases on."""

    def __init__(self, config: Qwen2Config):
        if config.use_sliding_window:
            raise ValueError("use_sliding_window is not implemented")
        super().__init__(config)


# ----------------------------------------------------------------------------------------------


def init_weights(model: nn.Module, std: float) -> None:
    """transformers' default init: normal(0, std) weights and embeddings, zero biases, unit norms."""
    for module in model.modules():
        if isinstance(module, (nn.Linear, Conv1D)):
            nn.init.normal_(module.weight, std=std)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            nn.init.normal_(module.weight, std=std)
            if module.padding_idx is not None:
                nn.init.zeros_(module.weight[module.padding_idx])
        elif isinstance(module, nn.LayerNorm):
            nn.init.ones_(module.weight)
            nn.init.zeros_(module.bias)
        elif isinstance(module, LlamaRMSNorm):
            nn.init.ones_(module.weight)


def hub_config(config) -> dict:
    """The config.json content for a config dataclass: its fields plus model_type and architectures."""
    return {"model_type": config.model_type, "architectures": [config.architecture], **asdict(config)}


MODEL_CLASSES = {
    "gpt2": (GPT2Config, GPT2LMHeadModel),
    "bert": (BertConfig, BertForMaskedLM),
    "distilbert": (DistilBertConfig, DistilBertForMaskedLM),
    "roberta": (RobertaConfig, RobertaForMaskedLM),
    "llama": (LlamaConfig, LlamaForCausalLM),
    "qwen2": (Qwen2Config, Qwen2ForCausalLM),
}

"""Make the test fixture models: tiny random-weight GPT-2, BERT and LLaMA in Hub folder layout.

Usage: /usr/bin/python3 tools/make_fixtures.py

Writes tests/fixtures/models/<name>/{config.json, tokenizer.json, tokenizer_config.json,
onnx/model.onnx, reference.json} and tests/fixtures/no-attention.onnx, then runs
tools/check_fixtures.mjs: transformers.js must tokenize the reference texts to the same ids, and
onnxruntime (with the Softmax outputs exposed) must reproduce the reference attention.
Seeds are fixed, so a rerun writes the same files.
"""

import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import onnx
import torch
from onnx import TensorProto, helper, numpy_helper
from torch import nn

sys.path.insert(0, str(Path(__file__).parent))
import hf_files  # noqa: E402
import onnx_export  # noqa: E402
from bpe import Tokenizer  # noqa: E402
from modeling import (  # noqa: E402
    BertConfig, BertForMaskedLM, BertSelfAttention, Conv1D, DistilBertConfig, DistilBertSelfAttention, GPT2Attention,
    GPT2Config, GPT2LMHeadModel, LlamaAttention, LlamaConfig, LlamaForCausalLM, LlamaRMSNorm, Qwen2Config, hub_config,
)

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
MODELS = FIXTURES / "models"

# The BPE merges are learned from this text, so the reference texts mix merged and byte tokens.
BPE_CORPUS = """
The quick brown fox jumps over the lazy dog. The dog sleeps; the fox runs on and on.
Attention is all you need: every token attends to the tokens before it, and the heads differ.
In the beginning there was the word, and the word was with the model, and the model was small.
There is no theory of everything here, only the weights and the words that go through them.
"""
NUM_MERGES = 96  # at most: learning stops when no pair occurs twice (53 merges here)

# 5, 12 and 27 tokens before special tokens; the last one has multi-byte characters that stay
# split into byte tokens.
TEXTS = [
    "The fox and the dog",
    "In the beginning was the word.",
    "naïve café — 東京 and the dog.",
]

# std of the Q/K/V projections: large enough that attention is far from uniform, small enough
# that most rows are not one-hot.
ATTENTION_STD = 0.3
WEIGHT_STD = 0.2


@dataclass
class Fixture:
    name: str
    config: object
    model_class: type
    special_tokens: List[str]
    tokenizer_class: str
    roles: Dict[str, str]
    prefix: Sequence[str] = ()
    suffix: Sequence[str] = ()
    seed: int = 0
    model_max_length: int = 64


def fixtures(vocab_size: int) -> List[Fixture]:
    """vocab_size: the shared BPE's size without special tokens."""
    gpt2 = ["<|endoftext|>"]
    bert = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    llama = ["<|begin_of_text|>", "<|end_of_text|>"]
    return [
        Fixture("tiny-gpt2",
                GPT2Config(vocab_size=vocab_size + len(gpt2), n_positions=64, n_embd=32, n_layer=2, n_head=4,
                           bos_token_id=0, eos_token_id=0),
                GPT2LMHeadModel, gpt2, "GPT2Tokenizer",
                {"bos_token": gpt2[0], "eos_token": gpt2[0], "unk_token": gpt2[0]}, seed=1),
        Fixture("tiny-bert",
                BertConfig(vocab_size=vocab_size + len(bert), hidden_size=32, num_hidden_layers=2,
                           num_attention_heads=4, intermediate_size=128, max_position_embeddings=64,
                           pad_token_id=0),
                BertForMaskedLM, bert, "BertTokenizer",
                {"pad_token": "[PAD]", "unk_token": "[UNK]", "cls_token": "[CLS]", "sep_token": "[SEP]",
                 "mask_token": "[MASK]"},
                prefix=["[CLS]"], suffix=["[SEP]"], seed=2),
        Fixture("tiny-llama",
                LlamaConfig(vocab_size=vocab_size + len(llama), hidden_size=32, intermediate_size=64,
                            num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2, head_dim=8,
                            max_position_embeddings=64, rms_norm_eps=1e-5, rope_theta=10000.0,
                            tie_word_embeddings=False, bos_token_id=0, eos_token_id=1),
                LlamaForCausalLM, llama, "PreTrainedTokenizerFast",
                {"bos_token": llama[0], "eos_token": llama[1]}, prefix=[llama[0]], seed=3),
    ]


def attention_projections(model: nn.Module) -> List[nn.Parameter]:
    projections = []
    for module in model.modules():
        if isinstance(module, GPT2Attention):
            projections += [module.c_attn.weight]
        elif isinstance(module, BertSelfAttention):
            projections += [module.query.weight, module.key.weight, module.value.weight]
        elif isinstance(module, DistilBertSelfAttention):
            projections += [module.q_lin.weight, module.k_lin.weight, module.v_lin.weight]
        elif isinstance(module, LlamaAttention):
            projections += [module.q_proj.weight, module.k_proj.weight, module.v_proj.weight]
    return projections


@torch.no_grad()
def randomize(model: nn.Module, seed: int) -> None:
    """Random weights of unit-ish scale (transformers' std 0.02 would give near-uniform attention)
    and non-trivial biases and norm gains, so a bug in any of them changes the attention."""
    generator = torch.Generator().manual_seed(seed)
    attention = {id(p) for p in attention_projections(model)}
    done = set()

    def fill(param: Optional[nn.Parameter], std: float, mean: float = 0.0) -> None:
        if param is not None and id(param) not in done:  # a tied weight keeps its first owner's init
            done.add(id(param))
            param.copy_(mean + std * torch.randn(param.shape, generator=generator))

    for module in model.modules():
        if isinstance(module, nn.Embedding):
            fill(module.weight, 1.0)
        elif isinstance(module, (nn.Linear, Conv1D)):
            fill(module.weight, ATTENTION_STD if id(module.weight) in attention else WEIGHT_STD)
            fill(module.bias, 0.1)
        elif isinstance(module, (nn.LayerNorm, LlamaRMSNorm)):
            fill(module.weight, 0.1, mean=1.0)
            fill(getattr(module, "bias", None), 0.1)
    assert all(id(p) in done for p in model.parameters())


def build_tokenizer() -> Tokenizer:
    """One byte-level BPE for all fixtures; each fixture adds its special tokens in front."""
    return Tokenizer.train(BPE_CORPUS, 256 + NUM_MERGES, [])


def with_specials(tokenizer: Tokenizer, special_tokens: List[str]) -> Dict[str, int]:
    """Special tokens first (ids 0..), then the BPE vocabulary, as tools/bpe.py lays it out."""
    vocab = {token: i for i, token in enumerate(special_tokens)}
    vocab.update({token: i + len(special_tokens) for token, i in tokenizer.vocab.items()})
    return vocab


def encode(fixture: Fixture, tokenizer: Tokenizer, vocab: Dict[str, int], text: str) -> List[int]:
    body = [i + len(fixture.special_tokens) for i in tokenizer.encode(text)]
    return [vocab[t] for t in fixture.prefix] + body + [vocab[t] for t in fixture.suffix]


@torch.no_grad()
def reference_attention(model: nn.Module, input_ids: List[int]) -> torch.Tensor:
    """[layers, heads, tokens, tokens] softmax outputs of one unpadded sequence, as the app runs it."""
    ids = torch.tensor([input_ids])
    output = model(ids, torch.ones_like(ids), output_attentions=True)
    return torch.stack(output.attentions)[:, 0]


def export_onnx(fixture: Fixture, model: nn.Module, path: Path) -> onnx.ModelProto:
    torch.manual_seed(fixture.seed)  # the tracing inputs
    config = fixture.config
    if isinstance(config, GPT2Config):
        return onnx_export.export_decoder(model, path, config.n_layer, config.n_head, config.n_embd // config.n_head)
    if isinstance(config, (LlamaConfig, Qwen2Config)):
        return onnx_export.export_decoder(model, path, config.num_hidden_layers, config.num_key_value_heads,
                                          config.head_dim)
    return onnx_export.export_encoder(model, path, token_type_ids=not isinstance(config, DistilBertConfig))


def build_model(fixture: Fixture) -> nn.Module:
    """The fixture's PyTorch model with its seeded random weights (the same on every call)."""
    torch.manual_seed(fixture.seed)
    model = fixture.model_class(fixture.config).eval()
    randomize(model, fixture.seed)
    return model


def make_fixture(fixture: Fixture, tokenizer: Tokenizer) -> onnx.ModelProto:
    folder = MODELS / fixture.name
    vocab = with_specials(tokenizer, fixture.special_tokens)
    assert len(vocab) == fixture.config.vocab_size
    hf_files.write_config(folder, hub_config(fixture.config))
    hf_files.write_tokenizer(folder, vocab, tokenizer.merges, fixture.special_tokens,
                             tokenizer_class=fixture.tokenizer_class, roles=fixture.roles,
                             model_max_length=fixture.model_max_length, prefix=fixture.prefix,
                             suffix=fixture.suffix)

    model = build_model(fixture)
    cases = []
    for text in TEXTS:
        input_ids = encode(fixture, tokenizer, vocab, text)
        attention = reference_attention(model, input_ids)
        cases.append({"text": text, "input_ids": input_ids, "attention": attention.tolist()})
    hf_files.write_json(folder / "reference.json", {"cases": cases}, compact=True)
    return export_onnx(fixture, model, folder / "onnx" / "model.onnx")


def make_no_attention(path: Path) -> onnx.ModelProto:
    """A classifier MLP whose only Softmax turns logits into class probabilities. It is followed by
    a MatMul with a constant table and fed by MatMuls with constant weights, so only a scanner
    that demands Q·Kᵀ and ·V between two activations rejects it."""
    generator = torch.Generator().manual_seed(4)

    def weight(name: str, *shape: int) -> TensorProto:
        return numpy_helper.from_array(torch.randn(shape, generator=generator).numpy(), name)

    nodes = [
        helper.make_node("MatMul", ["features", "fc1.weight"], ["fc1.out"]),
        helper.make_node("Add", ["fc1.out", "fc1.bias"], ["fc1.biased"]),
        helper.make_node("Relu", ["fc1.biased"], ["hidden"]),
        helper.make_node("MatMul", ["hidden", "fc2.weight"], ["fc2.out"]),
        helper.make_node("Add", ["fc2.out", "fc2.bias"], ["logits"]),
        helper.make_node("Softmax", ["logits"], ["probabilities"], axis=-1),
        helper.make_node("MatMul", ["probabilities", "class_embeddings"], ["expected_embedding"]),
    ]
    initializers = [weight("fc1.weight", 16, 32), weight("fc1.bias", 32), weight("fc2.weight", 32, 10),
                    weight("fc2.bias", 10), weight("class_embeddings", 10, 4)]
    graph = helper.make_graph(
        nodes, "no_attention_classifier",
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["batch_size", 16])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["batch_size", 10]),
         helper.make_tensor_value_info("expected_embedding", TensorProto.FLOAT, ["batch_size", 4])],
        initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", onnx_export.OPSET)],
                              producer_name="attnscope tools/make_fixtures.py")
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, str(path))
    return model


def with_attention_outputs(model: onnx.ModelProto, elem_type: int = TensorProto.FLOAT) -> onnx.ModelProto:
    """A copy that also outputs every Softmax result as attention.<i> (graph order), for the check.
    elem_type: what the Softmax computes (FLOAT16 in a float16 model)."""
    copy = onnx.ModelProto()
    copy.CopyFrom(model)
    softmaxes = [node.output[0] for node in copy.graph.node if node.op_type == "Softmax"]
    for i, name in enumerate(softmaxes):
        copy.graph.node.append(helper.make_node("Identity", [name], [f"attention.{i}"]))
        copy.graph.output.append(helper.make_tensor_value_info(f"attention.{i}", elem_type, None))
    return copy


def describe(fixture: Fixture, model: onnx.ModelProto) -> None:
    histogram = onnx_export.op_histogram(model)
    folder = MODELS / fixture.name
    size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
    print(f"\n{fixture.name}: opset {model.opset_import[0].version}, folder {size / 1024:.0f} KiB")
    print("  ops:", ", ".join(f"{op} {n}" for op, n in sorted(histogram.items())))
    for kind, values in (("input", model.graph.input), ("output", model.graph.output)):
        for value in values:
            dims = [d.dim_param or d.dim_value for d in value.type.tensor_type.shape.dim]
            elem = TensorProto.DataType.Name(value.type.tensor_type.elem_type)
            print(f"  {kind} {value.name}: {elem} {dims}")
    cases = json.loads((folder / "reference.json").read_text())["cases"]
    for case in cases:
        attention = torch.tensor(case["attention"])
        print(f"  {len(case['input_ids'])} tokens, mean row max {attention.max(-1).values.mean():.3f}: {case['text']!r}")


def verify(fixture: Fixture, model: onnx.ModelProto) -> None:
    layers = len(json.loads((MODELS / fixture.name / "reference.json").read_text())["cases"][0]["attention"])
    softmaxes = onnx_export.op_histogram(model)["Softmax"]
    assert softmaxes == layers, f"{fixture.name}: {softmaxes} Softmax nodes for {layers} layers"
    duplicates = onnx_export.duplicated_initializers(model)
    assert not duplicates, f"{fixture.name}: duplicated initializers {duplicates}"
    # make_flavour_fixtures.py adds dtype files to these folders; together they stay under 1.5 MB.
    size = sum(f.stat().st_size for f in (MODELS / fixture.name).rglob("*") if f.is_file())
    assert size < 1_500_000, f"{fixture.name}: {size} bytes"


def main() -> None:
    torch.set_num_threads(1)  # reproducible float results
    tokenizer = build_tokenizer()
    made = []
    for fixture in fixtures(len(tokenizer.vocab)):
        model = make_fixture(fixture, tokenizer)
        verify(fixture, model)
        describe(fixture, model)
        made.append((fixture, model))
    no_attention = make_no_attention(FIXTURES / "no-attention.onnx")
    print("\nno-attention.onnx ops:", dict(onnx_export.op_histogram(no_attention)))

    with tempfile.TemporaryDirectory() as tmp:
        for fixture, model in made:
            onnx.save(with_attention_outputs(model), str(Path(tmp) / f"{fixture.name}.onnx"))
        check = ["node", str(ROOT / "tools" / "check_fixtures.mjs"), str(MODELS), "--instrumented", tmp]
        subprocess.run(check, check=True, cwd=ROOT)


if __name__ == "__main__":
    main()

"""Make the export-flavour fixtures: the tiny models of make_fixtures.py in the other forms that
transformers.js-compatible repos on the Hub take (architectures, dtypes, merged decoders, external
data, fused attention), plus repos the loader must reject.

Usage: /usr/bin/python3 tools/make_flavour_fixtures.py   (reads the fp32 models make_fixtures.py wrote)

Every folder under tests/fixtures/models/ is a Hub repo; a dtype's file is onnx/model<suffix>.onnx
with transformers.js v4's suffixes (DTYPE_SUFFIX) and its reference is reference.json (fp32) or
reference.<dtype>.json. References come from PyTorch (tools/flavour_reference.py for the rewritten
graphs), never from onnxruntime; tools/check_fixtures.mjs then runs each file in onnxruntime-node
with its attention exposed and compares attention and logits. Seeds are fixed: a rerun writes the
same bytes.
"""

import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Dict, List, Optional

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper
from torch import nn

sys.path.insert(0, str(Path(__file__).parent))
import hf_files  # noqa: E402
import make_fixtures  # noqa: E402
import onnx_export  # noqa: E402
import onnx_transforms as transforms  # noqa: E402
from flavour_reference import float16_weights, q4_reference, q8_reference  # noqa: E402
from make_fixtures import MODELS, ROOT, Fixture, build_model, reference_attention  # noqa: E402
from modeling import (  # noqa: E402
    DistilBertConfig, DistilBertForMaskedLM, Qwen2Config, Qwen2ForCausalLM, RobertaConfig, RobertaForMaskedLM,
)

# transformers.js v4 DEFAULT_DTYPE_SUFFIX_MAPPING: dtype -> file name suffix.
DTYPE_SUFFIX = {"fp32": "", "fp16": "_fp16", "q8": "_quantized", "q4": "_q4", "q4f16": "_q4f16"}
# (fixture, dtype) files added next to make_fixtures.py's model.onnx.
DTYPE_FILES = [("tiny-gpt2", "q8"), ("tiny-gpt2", "q4"), ("tiny-gpt2", "fp16"), ("tiny-bert", "q8"),
               ("tiny-llama", "q4"), ("tiny-llama", "fp16"), ("tiny-qwen2", "q4f16")]
# Both weight forms of onnxruntime's dynamic quantisation occur on the Hub: one of each.
Q8_SIGNED_WEIGHTS = {"tiny-gpt2": False, "tiny-bert": True}
Q4_BLOCK_SIZE = 32  # onnxruntime's default; divides every K here (32, 64, 128)

# Max |attention difference| against onnxruntime-node, and for logits (a few units in size). float16
# graphs are compared with a float32 computation on the float16 weights, so their bound is float16
# rounding noise, which onnxruntime-node puts slightly above issue 5's 2e-3 for two of the three files
# (measured: tiny-gpt2 fp16 1.7e-3, tiny-llama fp16 2.1e-3, tiny-qwen2 q4f16 2.9e-3).
ATTENTION_TOLERANCE = {"fp32": 1e-5, "q8": 1e-5, "q4": 1e-5, "fp16": 3e-3, "q4f16": 4e-3}
LOGITS_TOLERANCE = {"fp32": 1e-4, "q8": 1e-4, "q4": 1e-4, "fp16": 5e-2, "q4f16": 5e-2}
MAX_FOLDER_BYTES = 1_500_000
REPO_FILES = ["config.json", "tokenizer.json", "tokenizer_config.json", "reference.json"]


@dataclass
class Check:
    """One onnxruntime-node run for tools/check_fixtures.mjs."""
    label: str
    folder: str
    graph: onnx.ModelProto  # as committed
    instrumented: onnx.ModelProto  # plus outputs attention.<i>
    reference: str
    dtype: str
    logits: List[list]  # PyTorch logits per reference case, [tokens][vocab]
    feeds: Dict[str, bool] = field(default_factory=dict)
    external_data: Optional[Path] = None  # copied next to the instrumented model


def dtype_file(dtype: str) -> str:
    return f"onnx/model{DTYPE_SUFFIX[dtype]}.onnx"


def reference_file(dtype: str) -> str:
    return "reference.json" if dtype == "fp32" else f"reference.{dtype}.json"


def save(model: onnx.ModelProto, path: Path) -> None:
    onnx.checker.check_model(model, full_check=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(model.SerializeToString())


def reference_cases(folder: str) -> List[dict]:
    return json.loads((MODELS / folder / "reference.json").read_text())["cases"]


@torch.no_grad()
def write_reference(folder: str, dtype: str, model: nn.Module) -> None:
    """reference.<dtype>.json: the fp32 reference's texts and ids with this model's attention, as
    float16 values where the graph's Softmax outputs float16."""

    def attention(input_ids: List[int]) -> torch.Tensor:
        probabilities = reference_attention(model, input_ids)
        return probabilities.half().float() if float_type(dtype) == TensorProto.FLOAT16 else probabilities

    cases = [{"text": case["text"], "input_ids": case["input_ids"], "attention": attention(case["input_ids"]).tolist()}
             for case in reference_cases(folder)]
    hf_files.write_json(MODELS / folder / reference_file(dtype), {"cases": cases}, compact=True)


@torch.no_grad()
def logits_of(model: nn.Module, folder: str) -> List[list]:
    logits = []
    for case in reference_cases(folder):
        ids = torch.tensor([case["input_ids"]])
        logits.append(model(ids, torch.ones_like(ids)).logits[0].tolist())
    return logits


def copy_repo(source: str, target: str, config: Optional[dict] = None) -> Path:
    """A new repo with source's config (or the given one), tokenizer and fp32 reference."""
    folder = MODELS / target
    folder.mkdir(parents=True, exist_ok=True)
    for name in REPO_FILES:
        shutil.copyfile(MODELS / source / name, folder / name)
    if config is not None:
        hf_files.write_config(folder, config)
    return folder


def load_fp32(fixture: Fixture) -> onnx.ModelProto:
    return onnx.load(str(MODELS / fixture.name / dtype_file("fp32")))


# ----------------------------------------------------------------------------------------------
# Instrumented copies: the attention probabilities as graph outputs attention.<i>
# ----------------------------------------------------------------------------------------------


def clone(model: onnx.ModelProto) -> onnx.ModelProto:
    copy = onnx.ModelProto()
    copy.CopyFrom(model)
    return copy


def expose_if_softmax(model: onnx.ModelProto) -> onnx.ModelProto:
    """Merged decoder: each branch outputs its Softmax results, and the If passes them on."""
    copy = clone(model)
    if_node = next(node for node in copy.graph.node if node.op_type == "If")
    counts = set()
    for attribute in if_node.attribute:
        branch = attribute.g
        softmaxes = [node.output[0] for node in branch.node if node.op_type == "Softmax"]
        counts.add(len(softmaxes))
        for i, name in enumerate(softmaxes):
            branch.node.append(helper.make_node("Identity", [name], [f"{branch.name}/attention.{i}"]))
            branch.output.append(helper.make_tensor_value_info(f"{branch.name}/attention.{i}", TensorProto.FLOAT, None))
    (count,) = counts
    for i in range(count):
        if_node.output.append(f"attention.{i}")
        copy.graph.output.append(helper.make_tensor_value_info(f"attention.{i}", TensorProto.FLOAT, None))
    return copy


def expose_gqa_probabilities(model: onnx.ModelProto) -> onnx.ModelProto:
    """GroupQueryAttention's optional output_qk with qk_output=2 (after softmax, CPU/WASM only)."""
    copy = clone(model)
    nodes = [node for node in copy.graph.node if node.op_type == "GroupQueryAttention"]
    for i, node in enumerate(nodes):
        node.attribute.append(helper.make_attribute("qk_output", 2))
        node.output.append(f"attention.{i}")
        copy.graph.output.append(helper.make_tensor_value_info(f"attention.{i}", TensorProto.FLOAT, None))
    return copy


def expose_mha_recomputed(model: onnx.ModelProto, head_dim: int) -> onnx.ModelProto:
    """MultiHeadAttention emits no probabilities: recompute softmax(QKᵀ/√d + mask) from the op's own
    query/key/bias/key_padding_mask inputs (mask_filter_value -10000, the op's default), as the app must."""
    copy = clone(model)
    graph = copy.graph
    nodes = [node for node in graph.node if node.op_type == "MultiHeadAttention"]
    heads = next(helper.get_attribute_value(a) for a in nodes[0].attribute if a.name == "num_heads")
    hidden = heads * head_dim
    graph.initializer.extend([
        numpy_helper.from_array(np.array([hidden] * 3, np.int64), "check/qkv_split"),
        numpy_helper.from_array(np.array([0, 0, heads, head_dim], np.int64), "check/heads_shape"),
        numpy_helper.from_array(np.array(1.0 / np.sqrt(head_dim), np.float32), "check/scale"),
        numpy_helper.from_array(np.array(1.0, np.float32), "check/one"),
        numpy_helper.from_array(np.array(-10000.0, np.float32), "check/mask_filter_value"),
        numpy_helper.from_array(np.array([1, 2], np.int64), "check/mask_axes"),
    ])
    for i, node in enumerate(nodes):
        query, key, _, bias, padding = node.input
        p = f"check/{i}/"
        graph.node.extend([
            helper.make_node("Split", [bias, "check/qkv_split"], [p + "q_bias", p + "k_bias", p + "v_bias"], axis=0),
            helper.make_node("Add", [query, p + "q_bias"], [p + "q"]),
            helper.make_node("Add", [key, p + "k_bias"], [p + "k"]),
            helper.make_node("Reshape", [p + "q", "check/heads_shape"], [p + "q_heads"]),
            helper.make_node("Reshape", [p + "k", "check/heads_shape"], [p + "k_heads"]),
            helper.make_node("Transpose", [p + "q_heads"], [p + "q_bhsd"], perm=[0, 2, 1, 3]),
            helper.make_node("Transpose", [p + "k_heads"], [p + "k_bhds"], perm=[0, 2, 3, 1]),
            helper.make_node("MatMul", [p + "q_bhsd", p + "k_bhds"], [p + "qk"]),
            helper.make_node("Mul", [p + "qk", "check/scale"], [p + "scores"]),
            helper.make_node("Cast", [padding], [p + "keep"], to=TensorProto.FLOAT),
            helper.make_node("Sub", ["check/one", p + "keep"], [p + "drop"]),
            helper.make_node("Mul", [p + "drop", "check/mask_filter_value"], [p + "mask"]),
            helper.make_node("Unsqueeze", [p + "mask", "check/mask_axes"], [p + "mask_b11k"]),
            helper.make_node("Add", [p + "scores", p + "mask_b11k"], [p + "masked"]),
            helper.make_node("Softmax", [p + "masked"], [f"attention.{i}"], axis=-1),
        ])
        graph.output.append(helper.make_tensor_value_info(f"attention.{i}", TensorProto.FLOAT, None))
    return copy


def float_type(dtype: str) -> int:
    return TensorProto.FLOAT16 if dtype in ("fp16", "q4f16") else TensorProto.FLOAT


# ----------------------------------------------------------------------------------------------
# 1. More architectures (fp32, unfused): DistilBERT, RoBERTa, Qwen2
# ----------------------------------------------------------------------------------------------


def architectures(vocab_size: int) -> List[Fixture]:
    """vocab_size: the shared BPE's size without special tokens (as make_fixtures.fixtures)."""
    bert = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    roberta = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]  # RoBERTa's own ids 0..3, so padding_idx is 1
    qwen = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    return [
        Fixture("tiny-distilbert",
                DistilBertConfig(vocab_size=vocab_size + len(bert), max_position_embeddings=64, n_layers=2, n_heads=4,
                                 dim=32, hidden_dim=128, pad_token_id=0),
                DistilBertForMaskedLM, bert, "DistilBertTokenizer",
                {"pad_token": "[PAD]", "unk_token": "[UNK]", "cls_token": "[CLS]", "sep_token": "[SEP]",
                 "mask_token": "[MASK]"},
                prefix=["[CLS]"], suffix=["[SEP]"], seed=5),
        Fixture("tiny-roberta",
                RobertaConfig(vocab_size=vocab_size + len(roberta), hidden_size=32, num_hidden_layers=2,
                              num_attention_heads=4, intermediate_size=128, max_position_embeddings=66,
                              type_vocab_size=1, pad_token_id=1, bos_token_id=0, eos_token_id=2),
                RobertaForMaskedLM, roberta, "RobertaTokenizer",
                {"bos_token": "<s>", "eos_token": "</s>", "sep_token": "</s>", "cls_token": "<s>",
                 "unk_token": "<unk>", "pad_token": "<pad>", "mask_token": "<mask>"},
                prefix=["<s>"], suffix=["</s>"], seed=6),
        Fixture("tiny-qwen2",
                Qwen2Config(vocab_size=vocab_size + len(qwen), hidden_size=32, intermediate_size=64,
                            num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                            max_position_embeddings=64, rope_theta=1000000.0, tie_word_embeddings=True,
                            sliding_window=64, max_window_layers=2, bos_token_id=0, eos_token_id=0),
                Qwen2ForCausalLM, qwen, "Qwen2Tokenizer",
                {"bos_token": None, "eos_token": "<|endoftext|>", "pad_token": "<|endoftext|>"}, seed=7),
    ]


def make_architecture(fixture: Fixture, tokenizer) -> Check:
    """A whole repo as make_fixtures.py makes its three."""
    exported = make_fixtures.make_fixture(fixture, tokenizer)
    return Check(f"{fixture.name} {dtype_file('fp32')}", fixture.name, exported,
                 make_fixtures.with_attention_outputs(exported), "reference.json", "fp32",
                 logits_of(build_model(fixture), fixture.name))


# ----------------------------------------------------------------------------------------------
# 2. dtype files: q8, q4, fp16, q4f16
# ----------------------------------------------------------------------------------------------


def keep_rope_float32(node: onnx.NodeProto) -> bool:
    """transformers computes the RoPE angles in float32 even in half precision."""
    return node.name.startswith("/model/rotary_emb/")


def make_dtype_file(fixture: Fixture, dtype: str) -> Check:
    """fixture's model.onnx rewritten as dtype, and the PyTorch model that computes the same."""
    graph = load_fp32(fixture)
    model = build_model(fixture)
    if dtype in ("fp16", "q4f16"):
        transforms.to_float16(graph, keep_rope_float32)
        model = float16_weights(model)
    if dtype == "q8":
        model = q8_reference(model, transforms.quantize_dynamic_q8(graph, Q8_SIGNED_WEIGHTS[fixture.name]))
    elif dtype in ("q4", "q4f16"):
        model = q4_reference(model, transforms.quantize_q4(graph, Q4_BLOCK_SIZE))
    if dtype in ("q8", "q4", "q4f16"):
        assert_weights_quantized(graph)
    save(graph, MODELS / fixture.name / dtype_file(dtype))
    write_reference(fixture.name, dtype, model)
    instrumented = make_fixtures.with_attention_outputs(graph, float_type(dtype))
    return Check(f"{fixture.name} {dtype_file(dtype)}", fixture.name, graph, instrumented, reference_file(dtype), dtype,
                 logits_of(model, fixture.name))


def assert_weights_quantized(model: onnx.ModelProto) -> None:
    """No MatMul/Gemm by a float weight is left (a tied lm_head multiplies by a Transpose's output)."""
    initializers = transforms.initializer_map(model.graph)
    left = [node.name for node in model.graph.node if transforms.constant_weight(node, initializers)]
    assert not left, f"unquantised weight products: {left}"


# ----------------------------------------------------------------------------------------------
# 3. Repos of one fp32 model in another form: merged decoder, external data, fused attention
# ----------------------------------------------------------------------------------------------


def make_merged(fixture: Fixture) -> List[Check]:
    """decoder_model_merged.onnx only (no decoder_model.onnx), so a loader must patch inside the If.
    Checked through both branches (each with an empty past)."""
    name = f"{fixture.name}-merged"
    folder = copy_repo(fixture.name, name)
    config = fixture.config
    with tempfile.TemporaryDirectory() as tmp:
        torch.manual_seed(fixture.seed)  # the tracing inputs
        no_past = onnx_export.export_decoder(build_model(fixture), Path(tmp) / "decoder_model.onnx", config.n_layer,
                                             config.n_head, config.n_embd // config.n_head, with_past=False)
    merged = transforms.merge_decoders(no_past, load_fp32(fixture))
    save(merged, folder / "onnx" / "decoder_model_merged.onnx")
    logits = logits_of(build_model(fixture), name)
    return [Check(f"{name} onnx/decoder_model_merged.onnx use_cache_branch={use_cache}", name, merged,
                  expose_if_softmax(merged), "reference.json", "fp32", logits, {"use_cache_branch": use_cache})
            for use_cache in (False, True)]


def make_external(fixture: Fixture) -> Check:
    """onnx/model.onnx + onnx/model.onnx_data (every tensor outside, one file) and the config entry
    transformers.js v4 reads to fetch it (use_external_data_format: model.onnx_data)."""
    name = f"{fixture.name}-external"
    config = json.loads((MODELS / fixture.name / "config.json").read_text())
    config["transformers.js_config"] = {"use_external_data_format": True}
    folder = copy_repo(fixture.name, name, config)
    data = folder / "onnx" / "model.onnx_data"
    data.parent.mkdir(exist_ok=True)
    data.unlink(missing_ok=True)  # onnx appends to an existing data file
    model = load_fp32(fixture)
    onnx.checker.check_model(model, full_check=True)
    onnx.save_model(model, str(folder / "onnx" / "model.onnx"), save_as_external_data=True,
                    all_tensors_to_one_file=True, location="model.onnx_data", size_threshold=0)
    stored = onnx.load(str(folder / "onnx" / "model.onnx"), load_external_data=False)
    return Check(f"{name} onnx/model.onnx + model.onnx_data", name, stored,
                 make_fixtures.with_attention_outputs(stored), "reference.json", "fp32",
                 logits_of(build_model(fixture), name), external_data=data)


def make_gqa(llama: Fixture, tokenizer) -> Check:
    """A LLaMA of its own (onnxruntime's GroupQueryAttention applies RoPE only for head sizes that are
    multiples of 16; tiny-llama's is 8), exported unfused with its reference, then fused in place."""
    fixture = replace(llama, name=f"{llama.name}-gqa", config=replace(llama.config, head_dim=16), seed=8)
    name = fixture.name
    path = MODELS / name / dtype_file("fp32")
    make_fixtures.make_fixture(fixture, tokenizer)
    graph = onnx.load(str(path))
    config = fixture.config
    transforms.fuse_group_query_attention(graph, config.num_hidden_layers, config.num_attention_heads,
                                          config.num_key_value_heads, config.head_dim, config.rope_theta,
                                          config.max_position_embeddings)
    assert_fused(graph, "GroupQueryAttention", config.num_hidden_layers)
    save(graph, path)
    return Check(f"{name} onnx/model.onnx (GroupQueryAttention output_qk)", name, graph,
                 expose_gqa_probabilities(graph), "reference.json", "fp32", logits_of(build_model(fixture), name))


def make_mha(fixture: Fixture) -> Check:
    name = f"{fixture.name}-mha"
    folder = copy_repo(fixture.name, name)
    config = fixture.config
    graph = load_fp32(fixture)
    transforms.fuse_multi_head_attention(graph, config.num_hidden_layers, config.num_attention_heads)
    assert_fused(graph, "MultiHeadAttention", config.num_hidden_layers)
    save(graph, folder / "onnx" / "model.onnx")
    head_dim = config.hidden_size // config.num_attention_heads
    return Check(f"{name} onnx/model.onnx (recomputed from MultiHeadAttention inputs)", name, graph,
                 expose_mha_recomputed(graph, head_dim), "reference.json", "fp32",
                 logits_of(build_model(fixture), name))


def assert_fused(model: onnx.ModelProto, op_type: str, layers: int) -> None:
    """One fused node per layer and no Softmax left: the probabilities exist only inside the op."""
    counts = op_counts(model.graph)
    assert counts.get(op_type) == layers and "Softmax" not in counts, counts


# ----------------------------------------------------------------------------------------------
# 4. Repos the loader must reject
# ----------------------------------------------------------------------------------------------


def make_negatives(gpt2: Fixture) -> None:
    """tiny-vit-config: an image classifier's config and preprocessor, no tokenizer ("not a text model").
    no-onnx: a text model's config and tokenizer without an onnx/ folder."""
    vit = MODELS / "tiny-vit-config"
    hf_files.write_config(vit, {
        "model_type": "vit", "architectures": ["ViTForImageClassification"], "hidden_size": 32,
        "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 64, "hidden_act": "gelu",
        "image_size": 32, "patch_size": 8, "num_channels": 3, "qkv_bias": True, "layer_norm_eps": 1e-12,
        "id2label": {"0": "cat", "1": "dog"}, "label2id": {"cat": 0, "dog": 1},
    })
    hf_files.write_json(vit / "preprocessor_config.json", {
        "image_processor_type": "ViTImageProcessor", "do_resize": True, "size": {"height": 32, "width": 32},
        "do_normalize": True, "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5], "resample": 2,
    })
    no_onnx = MODELS / "no-onnx"
    no_onnx.mkdir(parents=True, exist_ok=True)
    for name in ("config.json", "tokenizer.json", "tokenizer_config.json"):
        shutil.copyfile(MODELS / gpt2.name / name, no_onnx / name)


# ----------------------------------------------------------------------------------------------


def folder_bytes(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


# The ops that tell the flavours apart.
SHOWN_OPS = {"Softmax", "MatMul", "Gemm", "MatMulInteger", "DynamicQuantizeLinear", "MatMulNBits",
             "GroupQueryAttention", "MultiHeadAttention", "If", "Where", "CumSum", "Cast"}


def op_counts(graph: onnx.GraphProto, prefix: str = "") -> Dict[str, int]:
    """SHOWN_OPS counts, those inside If branches as then_branch:Op / else_branch:Op."""
    counts: Dict[str, int] = {}
    for node in graph.node:
        if node.op_type in SHOWN_OPS:
            counts[prefix + node.op_type] = counts.get(prefix + node.op_type, 0) + 1
        for attribute in node.attribute:
            if attribute.type == onnx.AttributeProto.GRAPH:
                counts.update(op_counts(attribute.g, f"{prefix}{attribute.name}:"))
    return counts


def describe(check: Check) -> None:
    """Op histogram highlights and the inputs/outputs of the committed graph."""
    graph = check.graph.graph
    print(f"\n{check.label}")
    print("  ops:", ", ".join(f"{op} {n}" for op, n in sorted(op_counts(graph).items())))
    for kind, values in (("inputs", graph.input), ("outputs", graph.output)):
        print(f"  {kind}:", ", ".join(f"{v.name} {TensorProto.DataType.Name(v.type.tensor_type.elem_type)}"
                                      for v in values))


def run_checks(checks: List[Check]) -> None:
    """Write the instrumented models, expected logits and manifest, then run check_fixtures.mjs."""
    with tempfile.TemporaryDirectory() as tmp:
        runs = []
        for index, check in enumerate(checks):
            directory = Path(tmp) / str(index)
            directory.mkdir()
            (directory / "model.onnx").write_bytes(check.instrumented.SerializeToString())
            if check.external_data:
                shutil.copyfile(check.external_data, directory / check.external_data.name)
            hf_files.write_json(directory / "logits.json", check.logits, compact=True)
            runs.append({"label": check.label, "folder": check.folder, "model": f"{index}/model.onnx",
                         "reference": check.reference, "tolerance": ATTENTION_TOLERANCE[check.dtype],
                         "logits": f"{index}/logits.json", "logitsTolerance": LOGITS_TOLERANCE[check.dtype],
                         "feeds": check.feeds})
        hf_files.write_json(Path(tmp) / "manifest.json", runs)
        check = ["node", str(ROOT / "tools" / "check_fixtures.mjs"), str(MODELS), "--instrumented", tmp]
        subprocess.run(check, check=True, cwd=ROOT)


def main() -> None:
    torch.set_num_threads(1)  # reproducible float results
    tokenizer = make_fixtures.build_tokenizer()
    vocab_size = len(tokenizer.vocab)
    base = {fixture.name: fixture for fixture in make_fixtures.fixtures(vocab_size)}
    new = architectures(vocab_size)
    checks = [make_architecture(fixture, tokenizer) for fixture in new]
    base.update({fixture.name: fixture for fixture in new})
    checks += [make_dtype_file(base[name], dtype) for name, dtype in DTYPE_FILES]
    checks += make_merged(base["tiny-gpt2"])
    checks += [make_external(base["tiny-llama"]), make_gqa(base["tiny-llama"], tokenizer), make_mha(base["tiny-bert"])]
    make_negatives(base["tiny-gpt2"])
    for check in {id(check.graph): check for check in checks}.values():  # the merged model is checked twice
        describe(check)
    for folder in sorted(path for path in MODELS.iterdir() if path.is_dir()):
        size = folder_bytes(folder)
        print(f"{folder.name}: {size / 1024:.0f} KiB")
        assert size < MAX_FOLDER_BYTES, f"{folder.name}: {size} bytes"
    run_checks(checks)


if __name__ == "__main__":
    main()

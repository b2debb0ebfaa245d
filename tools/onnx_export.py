"""Export modeling.py models to ONNX the way the Hub's exports look.

Decoders (GPT-2, LLaMA) take input_ids, attention_mask, position_ids and
past_key_values.N.key/.value and return logits and present.N.key/.value; encoders (BERT) take
input_ids, attention_mask, token_type_ids and return logits. The file is checked with
onnx.checker and holds each weight once (tied embeddings are not stored twice).
"""

import io
from collections import Counter
from pathlib import Path
from typing import Dict, List

import onnx
import torch
from onnx import helper, numpy_helper
from torch import nn

OPSET = 14  # what the Hub's optimum exports of these architectures use; torch 1.13 supports up to 17


class DecoderForExport(nn.Module):
    """Flat signature for tracing: (input_ids, attention_mask, position_ids, *past) -> (logits, *presents)."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, position_ids, *past):
        past_key_values = [(past[i], past[i + 1]) for i in range(0, len(past), 2)]
        output = self.model(input_ids, attention_mask, position_ids, past_key_values)
        return (output.logits, *[t for present in output.presents for t in present])


class EncoderForExport(nn.Module):
    """(input_ids, attention_mask[, token_type_ids]) -> logits, in the model's argument order."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, *inputs):
        return self.model(*inputs).logits


def past_names(num_layers: int, prefix: str) -> List[str]:
    return [f"{prefix}.{i}.{kind}" for i in range(num_layers) for kind in ("key", "value")]


def export_decoder(model: nn.Module, path: Path, num_layers: int, kv_heads: int, head_dim: int,
                   with_past: bool = True) -> onnx.ModelProto:
    """with_past=False gives optimum's decoder_model.onnx (no past_key_values inputs), the
    no-cache half of a merged decoder."""
    # Trace with a non-empty past so no shape is specialised to 0; the app feeds past length 0.
    batch, seq, past = 2, 5, (3 if with_past else 0)
    input_ids = torch.randint(0, 8, (batch, seq))
    attention_mask = torch.ones(batch, past + seq, dtype=torch.long)
    position_ids = torch.arange(past, past + seq).unsqueeze(0).expand(batch, seq)
    past_inputs = past_names(num_layers, "past_key_values") if with_past else []
    past_tensors = [torch.randn(batch, kv_heads, past, head_dim) for _ in past_inputs]

    inputs = ["input_ids", "attention_mask", "position_ids", *past_inputs]
    outputs = ["logits", *past_names(num_layers, "present")]
    axes: Dict[str, Dict[int, str]] = {
        "input_ids": {0: "batch_size", 1: "sequence_length"},
        "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
        "position_ids": {0: "batch_size", 1: "sequence_length"},
        "logits": {0: "batch_size", 1: "sequence_length"},
    }
    axes.update({name: {0: "batch_size", 2: "past_sequence_length"} for name in inputs[3:]})
    axes.update({name: {0: "batch_size", 2: "total_sequence_length"} for name in outputs[1:]})
    args = (input_ids, attention_mask, position_ids, *past_tensors)
    return export(DecoderForExport(model), args, path, inputs, outputs, axes)


def export_encoder(model: nn.Module, path: Path, token_type_ids: bool = True) -> onnx.ModelProto:
    """token_type_ids=False for models without token types (DistilBERT)."""
    batch, seq = 2, 5
    args = (torch.randint(0, 8, (batch, seq)), torch.ones(batch, seq, dtype=torch.long),
            torch.zeros(batch, seq, dtype=torch.long))
    inputs = ["input_ids", "attention_mask", "token_type_ids"]
    if not token_type_ids:
        args, inputs = args[:2], inputs[:2]
    axes = {name: {0: "batch_size", 1: "sequence_length"} for name in [*inputs, "logits"]}
    return export(EncoderForExport(model), args, path, inputs, ["logits"], axes)


def export(module: nn.Module, args: tuple, path: Path, inputs: List[str], outputs: List[str],
           axes: Dict[str, Dict[int, str]]) -> onnx.ModelProto:
    module.eval()
    buffer = io.BytesIO()
    with torch.no_grad():
        torch.onnx.export(module, args, buffer, input_names=inputs, output_names=outputs, dynamic_axes=axes,
                          opset_version=OPSET, do_constant_folding=True)
    model = onnx.load_from_string(buffer.getvalue())
    strip_wrapper_prefix(model.graph)
    deduplicate_initializers(model.graph)
    onnx.checker.check_model(model, full_check=True)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(path))
    return model


def strip_wrapper_prefix(graph: onnx.GraphProto) -> None:
    """Drop the export wrapper's attribute from names ("model.transformer.wte.weight" ->
    "transformer.wte.weight", "/model/transformer/..." -> "/transformer/...") so they match
    the Hub's exports."""

    def rename(name: str) -> str:
        for prefix, replacement in (("model.", ""), ("/model/", "/")):
            if name.startswith(prefix):
                return replacement + name[len(prefix):]
        return name

    for initializer in graph.initializer:
        initializer.name = rename(initializer.name)
    for node in graph.node:
        node.name = rename(node.name)
        node.input[:] = [rename(name) for name in node.input]
        node.output[:] = [rename(name) for name in node.output]
    for value in graph.value_info:
        value.name = rename(value.name)


def deduplicate_initializers(graph: onnx.GraphProto) -> None:
    """Store every weight once.

    Constant folding turns a tied lm_head (x @ Wᵀ with W the embedding) into a second, transposed
    initializer. Like optimum, keep the embedding and recompute the copy with a Transpose node;
    exact copies are replaced by the first one.
    """
    kept: Dict[tuple, str] = {}
    renames: Dict[str, str] = {}
    transposes: List[onnx.NodeProto] = []
    unique = []
    for initializer in graph.initializer:
        array = numpy_helper.to_array(initializer)
        key = (array.dtype.str, array.shape, array.tobytes())
        transposed_key = (array.dtype.str, array.T.shape, array.T.tobytes()) if array.ndim == 2 else None
        if key in kept:
            renames[initializer.name] = kept[key]
        elif transposed_key in kept:
            source = kept[transposed_key]
            transposes.append(helper.make_node("Transpose", [source], [initializer.name], name=f"{source}_transposed"))
        else:
            kept[key] = initializer.name
            unique.append(initializer)
    del graph.initializer[:]
    graph.initializer.extend(unique)
    for node in graph.node:
        node.input[:] = [renames.get(name, name) for name in node.input]
    for index, node in enumerate(transposes):
        graph.node.insert(index, node)


def op_histogram(model: onnx.ModelProto) -> Counter:
    return Counter(node.op_type for node in model.graph.node)


def duplicated_initializers(model: onnx.ModelProto) -> List[str]:
    """Names of initializers whose data (or its transpose) equals an earlier one's."""
    seen, duplicates = set(), []
    for initializer in model.graph.initializer:
        array = numpy_helper.to_array(initializer)
        keys = [(array.shape, array.tobytes())]
        if array.ndim == 2:
            keys.append((array.T.shape, array.T.tobytes()))
        if any(key in seen for key in keys):
            duplicates.append(initializer.name)
        seen.add(keys[0])
    return duplicates

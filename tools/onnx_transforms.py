"""Graph rewrites that turn an fp32 export (tools/onnx_export.py) into the other flavours found on the Hub.

- quantize_dynamic_q8: onnxruntime's dynamic quantisation (model_quantized.onnx): per-tensor 8-bit
  weights, activations through DynamicQuantizeLinear, MatMulInteger, Cast and Mul by the scales.
- quantize_q4: com.microsoft MatMulNBits with 4-bit block-quantised weights (model_q4.onnx).
- to_float16: weights, activations, inputs and outputs in float16 (model_fp16.onnx), like
  onnxconverter_common's float16 converter, with an optional float32 island (RoPE angles).
- merge_decoders: optimum's decoder_model_merged.onnx, one If on use_cache_branch.
- fuse_group_query_attention / fuse_multi_head_attention: each layer's attention as one
  com.microsoft GroupQueryAttention / MultiHeadAttention node, as onnxruntime's optimiser and
  onnxruntime-genai export them.

The rewrites keep every other node and weight as exported (the fusions drop what only the replaced
attention read), and the quantisers return what a PyTorch reference needs to reproduce the result
exactly (the quantised weights).
"""

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Callable, Dict, Iterable, List, Optional, Set

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

MS_DOMAIN = "com.microsoft"
FLOAT16_MAX = 65504.0


# ----------------------------------------------------------------------------------------------
# Graph helpers
# ----------------------------------------------------------------------------------------------


def initializer_map(graph: onnx.GraphProto) -> Dict[str, TensorProto]:
    return {init.name: init for init in graph.initializer}


def consumers(graph: onnx.GraphProto) -> Dict[str, List[onnx.NodeProto]]:
    used = defaultdict(list)
    for node in graph.node:
        for name in node.input:
            used[name].append(node)
    return used


def subgraph_inputs(node: onnx.NodeProto) -> Set[str]:
    """Names a node's subgraphs (If branches) read from the enclosing scope (a superset: all inputs)."""
    names = set()
    for attribute in node.attribute:
        if attribute.type == onnx.AttributeProto.GRAPH:
            for inner in attribute.g.node:
                names.update(inner.input)
                names.update(subgraph_inputs(inner))
    return names


def remove_unused(graph: onnx.GraphProto) -> None:
    """Drop nodes whose outputs nothing reads (graph outputs count), then unread initializers and inputs."""
    needed = {output.name for output in graph.output}
    kept = []
    for node in reversed(graph.node):
        if any(name in needed for name in node.output):
            kept.append(node)
            needed.update(name for name in node.input if name)
            needed.update(subgraph_inputs(node))
    del graph.node[:]
    graph.node.extend(reversed(kept))
    unused = [init for init in graph.initializer if init.name not in needed]
    for init in unused:
        graph.initializer.remove(init)
    for value in [value for value in graph.input if value.name not in needed]:
        graph.input.remove(value)


def add_opset(model: onnx.ModelProto, domain: str, version: int) -> None:
    if all(opset.domain != domain for opset in model.opset_import):
        model.opset_import.append(helper.make_opsetid(domain, version))


def constant_weight(node: onnx.NodeProto, initializers: Dict[str, TensorProto]) -> Optional[str]:
    """The float [K, N] initializer a MatMul or a plain Gemm (y = A·B + C) multiplies by, if any."""
    if node.op_type not in ("MatMul", "Gemm") or node.input[1] not in initializers:
        return None
    if node.op_type == "Gemm":
        attributes = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        if attributes.get("transA", 0) or attributes.get("transB", 0) or \
                attributes.get("alpha", 1.0) != 1.0 or attributes.get("beta", 1.0) != 1.0:
            return None
    weight = initializers[node.input[1]]
    if len(weight.dims) != 2 or weight.data_type not in (TensorProto.FLOAT, TensorProto.FLOAT16):
        return None
    return weight.name


# (node, weight name, product name) -> the nodes that compute the product instead.
Replacement = Callable[[onnx.NodeProto, str, str], List[onnx.NodeProto]]


def rewrite_weight_matmuls(graph: onnx.GraphProto, replace: Replacement) -> None:
    """Replace every MatMul/Gemm by a constant weight with replace(node, weight name, product name); a
    Gemm's bias is added after the product, as the quantisers do."""
    initializers = initializer_map(graph)
    nodes = []
    for node in graph.node:
        weight = constant_weight(node, initializers)
        if weight is None:
            nodes.append(node)
            continue
        has_bias = node.op_type == "Gemm" and len(node.input) > 2 and node.input[2]
        product = f"{node.output[0]}_product" if has_bias else node.output[0]
        nodes += replace(node, weight, product)
        if has_bias:
            nodes.append(helper.make_node("Add", [product, node.input[2]], [node.output[0]], name=f"{node.name}_bias"))
    del graph.node[:]
    graph.node.extend(nodes)


# ----------------------------------------------------------------------------------------------
# q8: onnxruntime's dynamic quantisation
# ----------------------------------------------------------------------------------------------


@dataclass
class Q8Weight:
    """A per-tensor 8-bit weight: source ≈ (quantized - zero_point) * scale."""
    source: np.ndarray  # the float32 [K, N] weight it replaces
    quantized: np.ndarray  # uint8 or int8 [K, N]
    scale: np.float32
    zero_point: np.integer


def quantize_q8_weight(weight: np.ndarray, signed: bool) -> Q8Weight:
    """onnxruntime's per-tensor weight quantisation: int8 symmetric (zero point 0, ±127) or uint8
    asymmetric over [min(w, 0), max(w, 0)]."""
    low, high = min(float(weight.min()), 0.0), max(float(weight.max()), 0.0)
    if signed:
        scale = np.float32(max(-low, high) / 127.0)
        zero_point = np.int8(0)
        quantized = np.clip(np.rint(weight / scale), -127, 127).astype(np.int8)
    else:
        scale = np.float32((high - low) / 255.0)
        zero_point = np.uint8(np.rint(-low / scale))
        quantized = np.clip(np.rint(weight / scale) + zero_point, 0, 255).astype(np.uint8)
    return Q8Weight(weight, quantized, scale, zero_point)


def quantize_dynamic_q8(model: onnx.ModelProto, signed_weights: bool) -> Dict[str, Q8Weight]:
    """Rewrite in place; returns the quantised weights by the name of the float initializer they replace.

    Per product: MatMulInteger(DynamicQuantizeLinear(A), W_q, a_zp, w_zp) → Cast(float) →
    Mul(a_scale · w_scale). An activation feeding several products (Q, K, V) is quantised once.
    """
    graph = model.graph
    initializers = initializer_map(graph)
    weights: Dict[str, Q8Weight] = {}
    quantized_inputs: Set[str] = set()

    def replace(node: onnx.NodeProto, weight: str, product: str) -> List[onnx.NodeProto]:
        nodes = []
        a = node.input[0]
        if a not in quantized_inputs:
            quantized_inputs.add(a)
            nodes.append(helper.make_node("DynamicQuantizeLinear", [a],
                                          [f"{a}_quantized", f"{a}_scale", f"{a}_zero_point"],
                                          name=f"{a}_QuantizeLinear"))
        if weight not in weights:
            weights[weight] = quantize_q8_weight(numpy_helper.to_array(initializers[weight]), signed_weights)
        base = node.name
        nodes += [
            helper.make_node("MatMulInteger", [f"{a}_quantized", f"{weight}_quantized", f"{a}_zero_point",
                                               f"{weight}_zero_point"], [f"{base}_output_quantized"],
                             name=f"{base}_quant"),
            helper.make_node("Cast", [f"{base}_output_quantized"], [f"{base}_output_quantized_cast"],
                             to=TensorProto.FLOAT, name=f"{base}_output_quantized_cast"),
            helper.make_node("Mul", [f"{a}_scale", f"{weight}_scale"], [f"{base}_scales_mul"],
                             name=f"{base}_scales_mul"),
            helper.make_node("Mul", [f"{base}_output_quantized_cast", f"{base}_scales_mul"], [product],
                             name=f"{base}_output_scale_mul"),
        ]
        return nodes

    rewrite_weight_matmuls(graph, replace)
    for name, weight in weights.items():
        graph.initializer.remove(initializers[name])
        graph.initializer.extend([
            numpy_helper.from_array(weight.quantized, f"{name}_quantized"),
            numpy_helper.from_array(np.array(weight.scale, np.float32), f"{name}_scale"),
            numpy_helper.from_array(np.array(weight.zero_point), f"{name}_zero_point"),
        ])
    return weights


# ----------------------------------------------------------------------------------------------
# q4: MatMulNBits
# ----------------------------------------------------------------------------------------------


@dataclass
class Q4Weight:
    """A [K, N] weight in 4-bit blocks along K: dequantized = (code - zero_point) * scale per block."""
    source: np.ndarray  # the float [K, N] weight it replaces
    codes: np.ndarray  # uint8 [N, blocks, block_size], values 0..15
    scales: np.ndarray  # [N, blocks], the weight's float type
    zero_points: np.ndarray  # uint8 [N, blocks], values 0..15

    def dequantized(self) -> np.ndarray:
        """[K, N] float32, as MatMulNBits computes it ((code - zero point) · scale)."""
        n, blocks, block_size = self.codes.shape
        codes = self.codes.astype(np.float32) - self.zero_points[:, :, None]
        values = codes * self.scales.astype(np.float32)[:, :, None]
        return values.reshape(n, blocks * block_size).T.copy()

    def packed_codes(self) -> np.ndarray:
        """MatMulNBits input B: uint8 [N, blocks, block_size / 2], two codes per byte, the first in the low nibble."""
        return (self.codes[:, :, 0::2] | (self.codes[:, :, 1::2] << 4)).astype(np.uint8)

    def packed_zero_points(self) -> np.ndarray:
        """uint8 [N · ceil(blocks / 2)]: each column's zero points, two per byte, low nibble first."""
        n, blocks = self.zero_points.shape
        padded = np.zeros((n, blocks + blocks % 2), np.uint8)
        padded[:, :blocks] = self.zero_points
        return (padded[:, 0::2] | (padded[:, 1::2] << 4)).reshape(-1).astype(np.uint8)


def quantize_q4_weight(weight: np.ndarray, block_size: int) -> Q4Weight:
    """Asymmetric 4-bit blocks over [min(block, 0), max(block, 0)] (onnxruntime's default, not symmetric)."""
    k, n = weight.shape
    if k % block_size:
        raise ValueError(f"K={k} is not a multiple of block_size={block_size}")
    blocks = weight.T.astype(np.float32).reshape(n, k // block_size, block_size)
    low = np.minimum(blocks.min(axis=2), 0.0)
    high = np.maximum(blocks.max(axis=2), 0.0)
    scales = ((high - low) / 15.0).astype(weight.dtype)
    scales[scales == 0] = 1.0  # an all-zero block: any scale dequantises to 0
    safe = scales.astype(np.float32)
    zero_points = np.clip(np.rint(-low / safe), 0, 15).astype(np.uint8)
    codes = np.clip(np.rint(blocks / safe[:, :, None]) + zero_points[:, :, None], 0, 15).astype(np.uint8)
    return Q4Weight(weight, codes, scales, zero_points)


def quantize_q4(model: onnx.ModelProto, block_size: int = 32) -> Dict[str, Q4Weight]:
    """Replace weight MatMuls/Gemms by MatMulNBits(A, B, scales, zero_points) (+ Add for a Gemm bias);
    returns the quantised weights by the name of the float initializer they replace."""
    graph = model.graph
    initializers = initializer_map(graph)
    weights: Dict[str, Q4Weight] = {}

    def replace(node: onnx.NodeProto, weight: str, product: str) -> List[onnx.NodeProto]:
        if weight not in weights:
            weights[weight] = quantize_q4_weight(numpy_helper.to_array(initializers[weight]), block_size)
        k, n = weights[weight].source.shape
        return [helper.make_node("MatMulNBits", [node.input[0], f"{weight}_Q4", f"{weight}_scales", f"{weight}_zp"],
                                 [product], name=f"{node.name}_Q4", domain=MS_DOMAIN,
                                 K=k, N=n, bits=4, block_size=block_size)]

    rewrite_weight_matmuls(graph, replace)
    for name, weight in weights.items():
        graph.initializer.remove(initializers[name])
        graph.initializer.extend([
            numpy_helper.from_array(weight.packed_codes(), f"{name}_Q4"),
            numpy_helper.from_array(weight.scales.reshape(-1), f"{name}_scales"),
            numpy_helper.from_array(weight.packed_zero_points(), f"{name}_zp"),
        ])
    add_opset(model, MS_DOMAIN, 1)
    return weights


# ----------------------------------------------------------------------------------------------
# fp16
# ----------------------------------------------------------------------------------------------


def float16_array(array: np.ndarray) -> np.ndarray:
    """Clipped to float16's finite range, as onnxconverter_common does: finfo(float32).min masks become
    -65504, not -inf (0 · -inf would be NaN)."""
    return np.clip(array, -FLOAT16_MAX, FLOAT16_MAX).astype(np.float16)


def float16_tensor(tensor: TensorProto) -> TensorProto:
    return numpy_helper.from_array(float16_array(numpy_helper.to_array(tensor)), tensor.name)


def float_tensor_names(model: onnx.ModelProto) -> Set[str]:
    """Every float32 tensor of the graph (shape inference gives the intermediate ones)."""
    inferred = onnx.shape_inference.infer_shapes(model)
    graph = inferred.graph
    values = [*graph.input, *graph.output, *graph.value_info]
    names = {v.name for v in values if v.type.tensor_type.elem_type == TensorProto.FLOAT}
    return names | {init.name for init in graph.initializer if init.data_type == TensorProto.FLOAT}


def to_float16(model: onnx.ModelProto, keep_float32: Callable[[onnx.NodeProto], bool] = lambda node: False) -> None:
    """Convert in place: float32 initializers, constants, Cast targets, inputs and outputs become float16.

    Nodes for which keep_float32 holds compute in float32 (transformers computes the RoPE angles in
    float32 even in half precision); Casts are inserted where float values cross that border.
    """
    graph = model.graph
    floats = float_tensor_names(model)
    readers = consumers(graph)

    def read_only_in_island(name: str) -> bool:
        return bool(readers[name]) and all(keep_float32(node) for node in readers[name])

    # Constants (nodes or initializers) read only inside the float32 island stay float32 too.
    island = [keep_float32(node) or (node.op_type == "Constant" and read_only_in_island(node.output[0]))
              for node in graph.node]
    kept_outputs = {name for node, kept in zip(graph.node, island) if kept for name in node.output}
    kept_weights = {init.name for init in graph.initializer if read_only_in_island(init.name)}
    half = floats - kept_outputs - kept_weights
    for index, init in enumerate(graph.initializer):
        if init.name in half:
            graph.initializer[index].CopyFrom(float16_tensor(init))
    for node, kept in zip(graph.node, island):
        if not kept:
            convert_node_to_float16(node)
    for value in [*graph.input, *graph.output]:
        if value.type.tensor_type.elem_type == TensorProto.FLOAT:
            value.type.tensor_type.elem_type = TensorProto.FLOAT16
    insert_border_casts(graph, floats, half, island)
    del graph.value_info[:]


def convert_node_to_float16(node: onnx.NodeProto) -> None:
    """Constants and Cast targets of one node; other ops take their type from their inputs."""
    for attribute in node.attribute:
        if node.op_type == "Cast" and attribute.name == "to" and attribute.i == TensorProto.FLOAT:
            attribute.i = TensorProto.FLOAT16
        elif attribute.type == onnx.AttributeProto.TENSOR and attribute.t.data_type == TensorProto.FLOAT:
            attribute.t.CopyFrom(float16_tensor(attribute.t))


def insert_border_casts(graph: onnx.GraphProto, floats: Set[str], half: Set[str], island: List[bool]) -> None:
    """island[i]: graph.node[i] computes in float32."""
    casts: Dict[tuple, str] = {}
    nodes = []
    for node, kept in zip(graph.node, island):
        wants_half = not kept
        for index, name in enumerate(node.input):
            if name not in floats or (name in half) == wants_half:
                continue
            target = TensorProto.FLOAT16 if wants_half else TensorProto.FLOAT
            key = (name, target)
            if key not in casts:
                casts[key] = f"{name}_to_{'fp16' if wants_half else 'fp32'}"
                nodes.append(helper.make_node("Cast", [name], [casts[key]], to=target, name=f"{casts[key]}_Cast"))
            node.input[index] = casts[key]
        nodes.append(node)
    del graph.node[:]
    graph.node.extend(nodes)


# ----------------------------------------------------------------------------------------------
# Merged decoder
# ----------------------------------------------------------------------------------------------


def merge_decoders(no_past: onnx.ModelProto, with_past: onnx.ModelProto) -> onnx.ModelProto:
    """optimum's decoder_model_merged.onnx: the inputs of the with-past model plus use_cache_branch
    (bool [1]); one If whose then_branch is the with-past graph and else_branch the no-past graph,
    both reading the weights from top-level initializers (each stored once)."""
    initializers: Dict[str, TensorProto] = {}
    by_content: Dict[tuple, str] = {}

    def share(model: onnx.ModelProto) -> Dict[str, str]:
        """Move a model's initializers to the shared list; returns its renames."""
        renames = {}
        for init in model.graph.initializer:
            key = (init.data_type, tuple(init.dims), numpy_helper.to_array(init).tobytes())
            if key in by_content:
                renames[init.name] = by_content[key]
                continue
            name = init.name if init.name not in initializers else f"{init.name}_no_past"
            shared = TensorProto()
            shared.CopyFrom(init)
            shared.name = name
            initializers[name] = shared
            by_content[key] = name
            renames[init.name] = name
        return renames

    def branch(model: onnx.ModelProto, name: str, renames: Dict[str, str]) -> onnx.GraphProto:
        nodes = []
        for node in model.graph.node:
            copy = onnx.NodeProto()
            copy.CopyFrom(node)
            copy.input[:] = [renames.get(i, i) for i in node.input]
            nodes.append(copy)
        return helper.make_graph(nodes, name, [], list(model.graph.output))

    then_branch = branch(with_past, "with_past", share(with_past))
    else_branch = branch(no_past, "no_past", share(no_past))
    outputs = [output.name for output in with_past.graph.output]
    if_node = helper.make_node("If", ["use_cache_branch"], outputs, name="optimum::if",
                               then_branch=then_branch, else_branch=else_branch)
    use_cache = helper.make_tensor_value_info("use_cache_branch", TensorProto.BOOL, [1])
    graph = helper.make_graph([if_node], "merged_decoder", [*with_past.graph.input, use_cache],
                              list(with_past.graph.output), list(initializers.values()))
    return helper.make_model(graph, opset_imports=list(with_past.opset_import), producer_name=with_past.producer_name)


# ----------------------------------------------------------------------------------------------
# Fused attention
# ----------------------------------------------------------------------------------------------


def node_by_name(graph: onnx.GraphProto, name: str) -> onnx.NodeProto:
    matches = [node for node in graph.node if node.name == name]
    if len(matches) != 1:
        raise ValueError(f"expected one node named {name}, found {len(matches)}")
    return matches[0]


def replace_attention_nodes(graph: onnx.GraphProto, prefix: str, keep: Iterable[str],
                            fused: List[onnx.NodeProto], consumer: str, output: str) -> None:
    """Drop the nodes named prefix* except keep, put fused right before the node named consumer and
    feed it output instead (what the dropped nodes computed; remove_unused clears the rest)."""
    keep = set(keep)
    nodes = [node for node in graph.node if not node.name.startswith(prefix) or node.name in keep]
    at = next(i for i, node in enumerate(nodes) if node.name == consumer)
    nodes[at].input[0] = output
    del graph.node[:]
    graph.node.extend(nodes[:at] + fused + nodes[at:])


def rotary_caches(head_dim: int, theta: float, positions: int) -> tuple:
    """cos/sin [positions, head_dim / 2] of position · inv_freq, computed as modeling.py does (float32)."""
    inv_freq = 1.0 / (theta ** (np.arange(0, head_dim, 2, dtype=np.int64).astype(np.float32) / head_dim))
    angles = np.arange(positions, dtype=np.float32)[:, None] * inv_freq.astype(np.float32)[None, :]
    return np.cos(angles).astype(np.float32), np.sin(angles).astype(np.float32)


def sequence_lengths(graph: onnx.GraphProto) -> List[onnx.NodeProto]:
    """Nodes computing GroupQueryAttention's seqlens_k (int32 [batch], keys per row − 1) and
    total_sequence_length (int32 scalar) from attention_mask, as onnxruntime-genai builds them."""
    p = "/model/attn_mask_reformat/"
    graph.initializer.extend([numpy_helper.from_array(np.array([1], np.int64), p + "axes"),
                              numpy_helper.from_array(np.array(1, np.int64), p + "one")])
    return [
        helper.make_node("ReduceSum", ["attention_mask", p + "axes"], [p + "sum"], keepdims=0, name=p + "ReduceSum"),
        helper.make_node("Sub", [p + "sum", p + "one"], [p + "seqlens"], name=p + "Sub"),
        helper.make_node("Cast", [p + "seqlens"], ["seqlens_k"], to=TensorProto.INT32, name=p + "Cast"),
        helper.make_node("Shape", ["attention_mask"], [p + "shape"], name=p + "Shape"),
        helper.make_node("Gather", [p + "shape", p + "one"], [p + "total"], axis=0, name=p + "Gather"),
        helper.make_node("Cast", [p + "total"], ["total_sequence_length"], to=TensorProto.INT32, name=p + "Cast_1"),
    ]


def fuse_group_query_attention(model: onnx.ModelProto, num_layers: int, num_heads: int, kv_heads: int,
                               head_dim: int, rope_theta: float, max_positions: int) -> None:
    """LLaMA export → one GroupQueryAttention per layer (do_rotary=1 with cos/sin caches), fed with the
    q/k/v projections before RoPE; seqlens_k and total_sequence_length come from attention_mask, as
    onnxruntime-genai builds them. position_ids is no longer read and leaves the inputs."""
    graph = model.graph
    cos, sin = rotary_caches(head_dim, rope_theta, max_positions)
    graph.initializer.extend([numpy_helper.from_array(cos, "cos_cache"), numpy_helper.from_array(sin, "sin_cache")])
    mask_nodes = sequence_lengths(graph)
    for layer in range(num_layers):
        prefix = f"/model/layers.{layer}/self_attn/"
        projections = [node_by_name(graph, f"{prefix}{p}_proj/MatMul") for p in "qkvo"]
        q, k, v = (p.output[0] for p in projections[:3])
        output = f"{prefix}GroupQueryAttention_output_0"
        gqa = helper.make_node(
            "GroupQueryAttention",
            [q, k, v, f"past_key_values.{layer}.key", f"past_key_values.{layer}.value", "seqlens_k",
             "total_sequence_length", "cos_cache", "sin_cache"],
            [output, f"present.{layer}.key", f"present.{layer}.value"],
            name=f"{prefix}GroupQueryAttention", domain=MS_DOMAIN,
            num_heads=num_heads, kv_num_heads=kv_heads, do_rotary=1, rotary_interleaved=0,
            scale=1.0 / math.sqrt(head_dim))
        fused = (mask_nodes if layer == 0 else []) + [gqa]
        replace_attention_nodes(graph, prefix, [p.name for p in projections], fused, projections[3].name, output)
    add_opset(model, MS_DOMAIN, 1)
    remove_unused(graph)


def fuse_multi_head_attention(model: onnx.ModelProto, num_layers: int, num_heads: int) -> None:
    """BERT export → one MultiHeadAttention per layer, as onnxruntime's BERT fusion with
    use_multi_head_attention builds it: query/key/value are the projections without bias, the three
    biases concatenated into one input, attention_mask as an int32 key_padding_mask [batch, keys]."""
    graph = model.graph
    initializers = initializer_map(graph)
    mask_node = helper.make_node("Cast", ["attention_mask"], ["key_padding_mask"], to=TensorProto.INT32,
                                 name="/bert/key_padding_mask/Cast")
    for layer in range(num_layers):
        prefix = f"/bert/encoder/layer.{layer}/attention/self/"
        projections = [node_by_name(graph, f"{prefix}{p}/MatMul") for p in ("query", "key", "value")]
        biases = [next(i for i in node_by_name(graph, f"{prefix}{p}/Add").input if i in initializers)
                  for p in ("query", "key", "value")]
        bias = numpy_helper.from_array(np.concatenate([numpy_helper.to_array(initializers[b]) for b in biases]),
                                       f"{prefix}qkv_bias")
        graph.initializer.append(bias)
        output = f"{prefix}MultiHeadAttention_output_0"
        mha = helper.make_node("MultiHeadAttention",
                               [*(p.output[0] for p in projections), bias.name, "key_padding_mask"], [output],
                               name=f"{prefix}MultiHeadAttention", domain=MS_DOMAIN, num_heads=num_heads)
        dense = f"/bert/encoder/layer.{layer}/attention/output/dense/MatMul"
        fused = ([mask_node] if layer == 0 else []) + [mha]
        replace_attention_nodes(graph, prefix, [p.name for p in projections], fused, dense, output)
    add_opset(model, MS_DOMAIN, 1)
    remove_unused(graph)

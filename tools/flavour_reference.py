"""PyTorch references for the rewritten graphs of tools/onnx_transforms.py, computed without onnxruntime.

Each function returns a copy of a modeling.py model whose forward computes what the rewritten graph
computes: q8 simulates onnxruntime's dynamic quantisation exactly (DynamicQuantizeLinear's uint8
rounding, integer accumulation, the float32 scale products), q4 runs on the dequantised weights, and
fp16 runs in float32 on float16-rounded weights (an approximation of float16 arithmetic, good to
about 1e-3). The rewritten weights are found in the model by value, so a weight that was not
rewritten (a tied lm_head reads the embedding through a Transpose) keeps its float forward.
"""

import copy
from typing import Dict, List, Tuple

import numpy as np
import torch
from torch import nn

from modeling import Conv1D
from onnx_transforms import FLOAT16_MAX, Q4Weight, Q8Weight


def weight_matrix(module: nn.Module) -> np.ndarray:
    """The [K, N] matrix the exported MatMul/Gemm multiplies by: Linear stores Wᵀ, Conv1D stores W."""
    weight = module.weight.detach().numpy()
    return weight.T if isinstance(module, nn.Linear) else weight


def linear_modules(model: nn.Module) -> List[Tuple[nn.Module, str, nn.Module]]:
    """(parent, attribute, module) for every Linear and Conv1D."""
    return [(parent, name, child) for parent in model.modules() for name, child in parent.named_children()
            if isinstance(child, (nn.Linear, Conv1D))]


def match_modules(model: nn.Module, sources: Dict[str, np.ndarray]) -> Dict[str, Tuple[nn.Module, str, nn.Module]]:
    """Which module each rewritten ONNX weight came from, by exact value. Every weight must match."""
    by_value = {weight_matrix(m).astype(np.float32).tobytes(): (p, n, m) for p, n, m in linear_modules(model)}
    matched = {name: by_value.get(source.astype(np.float32).tobytes()) for name, source in sources.items()}
    missing = [name for name, found in matched.items() if found is None]
    if missing:
        raise ValueError(f"ONNX weights with no PyTorch module of the same value: {missing}")
    return matched


def dynamic_quantize_linear(x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """ONNX DynamicQuantizeLinear as onnxruntime computes it, in float32: the range always includes 0,
    scale = (max − min) / 255, zero point = round(−min / scale) clamped to [0, 255],
    q = clamp(round(x / scale) + zero point, 0, 255), rounding half to even (torch.round does)."""
    low = torch.clamp(x.min(), max=0.0)
    high = torch.clamp(x.max(), min=0.0)
    scale = torch.tensor(1.0) if bool(high == low) else (high - low) / 255.0
    zero_point = torch.round(torch.clamp(0.0 - low / scale, 0.0, 255.0))
    quantized = torch.clamp(torch.round(x / scale) + zero_point, 0.0, 255.0)
    return quantized, scale, zero_point


class DynamicQuantLinear(nn.Module):
    """x·W + b as the q8 graph computes it: MatMulInteger of the quantised activation and weight
    (exact integers, float64 holds them), Cast to float32, times a_scale·w_scale, plus the bias."""

    def __init__(self, module: nn.Module, weight: Q8Weight):
        super().__init__()
        self.quantized = torch.from_numpy(weight.quantized.astype(np.float64) - float(weight.zero_point))
        self.scale = torch.tensor(weight.scale, dtype=torch.float32)
        self.bias = module.bias

    def forward(self, x):
        quantized, scale, zero_point = dynamic_quantize_linear(x)
        accumulated = torch.matmul((quantized - zero_point).double(), self.quantized).float()
        y = accumulated * (scale * self.scale)
        return y if self.bias is None else y + self.bias


@torch.no_grad()
def q8_reference(model: nn.Module, weights: Dict[str, Q8Weight]) -> nn.Module:
    reference = copy.deepcopy(model)
    matched = match_modules(reference, {name: w.source for name, w in weights.items()})
    for name, (parent, attribute, module) in matched.items():
        setattr(parent, attribute, DynamicQuantLinear(module, weights[name]))
    return reference


@torch.no_grad()
def q4_reference(model: nn.Module, weights: Dict[str, Q4Weight]) -> nn.Module:
    reference = copy.deepcopy(model)
    matched = match_modules(reference, {name: w.source for name, w in weights.items()})
    for name, (_, _, module) in matched.items():
        dequantized = torch.from_numpy(weights[name].dequantized())
        module.weight.copy_(dequantized.T if isinstance(module, nn.Linear) else dequantized)
    return reference


@torch.no_grad()
def float16_weights(model: nn.Module) -> nn.Module:
    """The model with every parameter rounded to float16 (and clipped like the converter)."""
    reference = copy.deepcopy(model)
    for parameter in reference.parameters():
        parameter.copy_(parameter.clamp(-FLOAT16_MAX, FLOAT16_MAX).half().float())
    return reference

"""Layers as linear operators: the weight matrices a network applies to its inputs.

Seed 000 (Remark 2, Table 2) reshapes a convolution kernel ``(out, in/g, kh, kw)``
to the ``out x (in/g * kh * kw)`` matrix that acts on one input patch.  Grouped
and depthwise convolutions are also split into their ``g`` diagonal blocks
``(out/g) x (in/g * kh * kw)``, each acting on its own channel group.  A
transposed convolution ``(in, out/g, kh, kw)`` maps one input pixel's channels
to an output footprint: its matrix is ``(out/g * kh * kw) x (in/g)`` per group,
groups stacked along the rows.
``nn.MultiheadAttention`` contributes its packed input projection ``(3E x E)``
(or the three separate ones) as the timm/torchvision ViTs apply it.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

_CONV = (nn.Conv1d, nn.Conv2d, nn.Conv3d)
_CONV_T = (nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d)


@dataclass
class LinearWeight:
    """One trainable weight seen as a matrix (``rows x cols``), with its per-group blocks."""

    name: str
    module_name: str
    module_type: str
    matrix: torch.Tensor
    groups: int = 1

    @property
    def shape(self) -> tuple[int, int]:
        return tuple(self.matrix.shape)  # type: ignore[return-value]

    def group_blocks(self) -> torch.Tensor:
        """The ``(groups, rows/groups, cols)`` stack of diagonal blocks (one block when ungrouped)."""
        rows, cols = self.matrix.shape
        return self.matrix.reshape(self.groups, rows // self.groups, cols)


def conv_weight_matrix(weight: torch.Tensor) -> torch.Tensor:
    """``(out, in/g, *kernel)`` -> ``out x (in/g * prod(kernel))``, the paper's reshape."""
    return weight.reshape(weight.shape[0], -1)


def linear_weights(model: nn.Module, all_params: bool = False) -> list[LinearWeight]:
    """Every weight of ``model`` that acts as a linear map, in parameter order.

    With ``all_params`` every other parameter of two or more dimensions
    (position embeddings, class tokens, embedding tables) is added too,
    reshaped to ``shape[0] x rest``.  Shared (tied) weights are listed once.
    """
    weights = [w for name, module in model.named_modules() for w in _module_weights(name, module)]
    if all_params:
        claimed = {w.name for w in weights}
        for name, param in model.named_parameters():
            if param.ndim >= 2 and name not in claimed:
                module_name = name.rsplit(".", 1)[0] if "." in name else ""
                weights.append(LinearWeight(name, module_name, "Parameter", param.detach().reshape(param.shape[0], -1)))
    order = {name: i for i, (name, _) in enumerate(model.named_parameters())}  # tied copies are dropped here
    return sorted((w for w in weights if w.name in order), key=lambda w: order[w.name])


def _module_weights(module_name: str, module: nn.Module) -> list[LinearWeight]:
    prefix = f"{module_name}." if module_name else ""
    kind = type(module).__name__
    if isinstance(module, _CONV) and module.weight is not None:
        return [LinearWeight(f"{prefix}weight", module_name, kind, conv_weight_matrix(module.weight.detach()), module.groups)]
    if isinstance(module, _CONV_T) and module.weight is not None:
        return [LinearWeight(f"{prefix}weight", module_name, kind, _conv_transpose_matrix(module), module.groups)]
    if isinstance(module, nn.Linear):
        return [LinearWeight(f"{prefix}weight", module_name, kind, module.weight.detach())]
    if isinstance(module, nn.MultiheadAttention):
        if module.in_proj_weight is not None:
            return [LinearWeight(f"{prefix}in_proj_weight", module_name, kind, module.in_proj_weight.detach())]
        return [
            LinearWeight(f"{prefix}{p}_proj_weight", module_name, kind, getattr(module, f"{p}_proj_weight").detach())
            for p in ("q", "k", "v")
        ]
    return []


def _conv_transpose_matrix(module: nn.Module) -> torch.Tensor:
    weight = module.weight.detach()  # (in, out/g, *kernel)
    groups = module.groups
    per_group = weight.reshape(groups, weight.shape[0] // groups, -1)  # (g, in/g, out/g * k)
    return per_group.transpose(1, 2).reshape(-1, weight.shape[0] // groups)  # groups stacked along rows


def conv2d_operator_matrix(
    weight: torch.Tensor,
    input_size: tuple[int, int],
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
    groups: int = 1,
    chunk: int = 4096,
) -> torch.Tensor:
    """The dense matrix of ``x -> conv2d(x, weight)`` at one input resolution (seed 001, App. B).

    Unlike :func:`conv_weight_matrix`, which acts on one patch, this is the whole
    operator ``(C_out * H_out * W_out) x (C_in * H * W)`` including overlaps,
    stride and zero padding; its null space is the set of inputs the layer
    cannot see.  Dense: meant for small inputs (MNIST / CIFAR sizes); the
    columns are built by convolving the standard basis in chunks, in fp64.
    """
    c_in = weight.shape[1] * groups
    h, w = input_size
    n = c_in * h * w
    w64 = weight.detach().to(torch.float64)
    columns = []
    for start in range(0, n, chunk):
        stop = min(n, start + chunk)
        basis = torch.zeros(stop - start, n, dtype=torch.float64, device=weight.device)
        basis[torch.arange(stop - start), torch.arange(start, stop)] = 1.0
        out = torch.nn.functional.conv2d(basis.reshape(-1, c_in, h, w), w64, None, stride, padding, dilation, groups)
        columns.append(out.reshape(stop - start, -1))
    return torch.cat(columns).transpose(0, 1).contiguous()

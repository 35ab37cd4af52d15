"""The blindness of ``f = g o D`` to ``ker(D)`` (seed 004: ``f(x + delta) = g(D(x + delta)) = g(D(x)) = f(x)``).

Checked by forward passes in fp32 and fp64 with a real network ``g`` (the
classifier reading ``U(D(x))``), against the same network without ``D`` in
front, which does see ``delta``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
from torch import nn

from .kernels import SeparableKernel
from .operators import Downsampler


@dataclass
class InvarianceCheck:
    """Max |logit change| under ``delta in ker(D)`` (``||delta||_inf = eps``), relative to max |logit|."""

    operator: str
    eps: float
    n_images: int
    max_kernel_residual_fp64: float   # max |D(x + delta) - D(x)|
    max_logit_change_fp32: float      # f = g o U o D
    max_logit_change_fp64: float
    relative_change_fp32: float
    relative_change_fp64: float
    max_logit_change_without_d: float  # the network alone (fp32): it sees delta
    predictions_changed_without_d: int


def kernel_perturbation(kernel: SeparableKernel, like: torch.Tensor, eps: float, generator: torch.Generator) -> torch.Tensor:
    """A random ``delta in ker(D)`` shaped like ``like`` (B, C, H, W), fp64, scaled to ``||delta||_inf = eps`` per image."""
    noise = torch.randn(like.shape, generator=generator, dtype=torch.float64)
    delta = kernel.project(noise)
    scale = delta.flatten(1).abs().amax(1).clamp_min(1e-300)
    return delta * (eps / scale)[:, None, None, None]


def check_invariance(op: Downsampler, kernel: SeparableKernel, model: nn.Module, pixels: torch.Tensor,
                     to_model: Callable[[torch.Tensor], torch.Tensor], eps: float = 0.1, seed: int = 0) -> InvarianceCheck:
    """Forward ``x`` and ``x + delta`` through ``g(U(D(.)))`` in fp32 and fp64, and through ``g`` alone."""
    generator = torch.Generator().manual_seed(seed)
    x64 = pixels.to(torch.float64)
    delta = kernel_perturbation(kernel, x64, eps, generator)
    residual = float((op.down(x64 + delta) - op.down(x64)).abs().max())
    changes = {}
    model = model.eval()
    with torch.no_grad():
        for dtype in (torch.float32, torch.float64):
            net = model.to(dtype)
            a = net(to_model(op.roundtrip(x64.to(dtype))))
            b = net(to_model(op.roundtrip((x64 + delta).to(dtype))))
            changes[dtype] = (float((a - b).abs().max()), float(a.abs().max()))
        net = model.to(torch.float32)
        a = net(to_model(x64.float()))
        b = net(to_model((x64 + delta).float()))
    (c32, s32), (c64, s64) = changes[torch.float32], changes[torch.float64]
    return InvarianceCheck(op.name, eps, len(pixels), residual, c32, c64, c32 / max(s32, 1e-30), c64 / max(s64, 1e-30),
                           float((a - b).abs().max()), int((a.argmax(1) != b.argmax(1)).sum()))

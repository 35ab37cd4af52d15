"""Seed 001's Fig. 1 and Fig. 11 as computations (the report draws them).

Fig. 1 (Example 1): a ``(2, 1, 3, 1)``-ReLU network ``f = A3 T3 σ A2 T2 σ A1 T1`` on the plane has
``Null(W1)`` of dimension ``2 - 1 = 1``; its output surface is constant along every line parallel to that
direction.  :func:`fig1_surface` evaluates ``f`` on a grid and measures, in fp64, the spread of ``f`` along lines
in the null direction (round-off) against the spread along the row direction.

Fig. 11 (Sec. 5): two networks trained differently have different ``Null(W1)`` (of the same dimension), so they
see different row-space images ``x_perp`` of the same input ``x``, each predicting exactly as on ``x``.
:func:`compare_seen` projects a batch through each model's :class:`NullSpaceProjector`.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from ..inference import fp64_copy
from ..normalization import Normalization
from .projector import NullSpaceProjector


def relu_net(sizes: tuple[int, ...] = (2, 1, 3, 1), seed: int = 0) -> nn.Sequential:
    """A ``sizes``-ReLU network (Example 1), seeded, fp64: Linear, ReLU, ..., Linear."""
    g = torch.Generator().manual_seed(seed)
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        linear = nn.Linear(a, b).double()
        with torch.no_grad():
            linear.weight.copy_(torch.randn(b, a, generator=g, dtype=torch.float64))
            linear.bias.copy_(0.5 * torch.randn(b, generator=g, dtype=torch.float64))
        layers += [linear] + ([nn.ReLU()] if i < len(sizes) - 2 else [])
    return nn.Sequential(*layers).eval()


@dataclass
class Surface:
    """``f`` on a ``resolution``² grid over ``[-extent, extent]²`` and its spread along / across ``Null(W1)``."""

    sizes: list[int]
    w1: list[list[float]]
    null_direction: list[float]
    extent: float
    xs: list[float]
    values: list[list[float]]  # values[i][j] = f(xs[j], xs[i])
    spread_along_null: float
    spread_along_row: float
    lines: int


def fig1_surface(seed: int = 0, extent: float = 3.0, resolution: int = 41, lines: int = 64) -> Surface:
    """Fig. 1: the surface of a seeded ``(2, 1, 3, 1)``-ReLU network and its flatness along ``Null(W1)`` (fp64).

    ``lines`` lines parallel to the null direction (offsets along the row direction in ``[-extent, extent]``) are
    sampled at ``resolution`` points each; ``spread_along_null`` is the largest ``max f - min f`` on any of them,
    ``spread_along_row`` the same along lines in the row direction.
    """
    net = relu_net((2, 1, 3, 1), seed)
    w1 = net[0].weight.detach()
    projector = NullSpaceProjector.from_weight(w1)
    n = projector.basis[:, 0]
    r = w1[0] / w1[0].norm()
    t = torch.linspace(-extent, extent, resolution, dtype=torch.float64)
    offsets = torch.linspace(-extent, extent, lines, dtype=torch.float64)

    def spread(direction: torch.Tensor, across: torch.Tensor) -> float:
        points = offsets[:, None, None] * across + t[None, :, None] * direction  # (lines, resolution, 2)
        with torch.no_grad():
            f = net(points.reshape(-1, 2)).reshape(lines, resolution)
        return float((f.amax(1) - f.amin(1)).max())

    xs = torch.linspace(-extent, extent, resolution, dtype=torch.float64)
    grid = torch.stack(torch.meshgrid(xs, xs, indexing="xy"), -1)  # grid[i, j] = (xs[j], xs[i])
    with torch.no_grad():
        values = net(grid.reshape(-1, 2)).reshape(resolution, resolution)
    return Surface([2, 1, 3, 1], w1.tolist(), n.tolist(), extent, xs.tolist(), values.tolist(),
                   spread(n, r), spread(r, n), lines)


@dataclass
class Seen:
    """What each model sees of the same images (pixel space, unclipped) and the checks on it."""

    original: torch.Tensor
    seen: list[torch.Tensor]
    null_dims: list[int]
    predictions_agree: list[float]
    max_logit_diff_fp64: list[float]
    relative_difference: list[float]  # per image: ||x_perp(A) - x_perp(B)|| / ||x|| (model space), first two models


def compare_seen(models: list[nn.Module], projectors: list[NullSpaceProjector], norms: list[Normalization],
                 pixels: torch.Tensor) -> Seen:
    """Fig. 11: the row-space image ``x_perp`` of ``pixels`` (``(N, C, H, W)`` in [0, 1]) under each model."""
    seen, agree, diffs, perps = [], [], [], []
    for model, projector, norm in zip(models, projectors, norms):
        x = norm.to_model(pixels).double()
        perp = projector.row_part(x)
        model64 = fp64_copy(model)
        with torch.no_grad():
            lx, lp = model64(x), model64(perp)
        agree.append(float((lx.argmax(1) == lp.argmax(1)).double().mean()))
        diffs.append(float((lx - lp).abs().max()))
        perps.append(perp)
        seen.append(norm.to_pixels(perp))
    x0 = norms[0].to_model(pixels).double().flatten(1)
    rel = ((perps[0] - perps[1]).flatten(1).norm(dim=1) / x0.norm(dim=1).clamp_min(1e-300)).tolist() if len(perps) > 1 else []
    return Seen(pixels, seen, [p.dim for p in projectors], agree, diffs, rel)


"""Downsampling operators by name (seed 004, "Problem"): linear maps ``D : R^n -> R^m``, ``m < n``, on image channels.

Each operator acts channel by channel on ``(B, C, H, W)`` pixels and is
separable, ``D(X) = A X A^T`` with one 1-D factor ``A`` (``h x H``) per axis;
``up`` brings its output back to ``H x W`` so that a 32x32 classifier can read
it (the composition ``U(D(x))`` is what the perturbation suite feeds the model).

* ``resize-0.5``, ``resize-0.25``: plain bilinear resize (``F.interpolate``,
  ``align_corners=False``, no antialias: PyTorch's default; at x0.5 exactly a 2x2 average), up by bilinear.
* ``resize-aa-0.5``, ``resize-aa-0.25``: antialiased bilinear resize (``antialias=True``: PIL's triangle
  filter stretched to ``2 / scale`` input pixels), up by bilinear.  The card's "bilinear resize" names
  neither; the two move a table by several points, so both are reported.
* ``decimate-2``: ``x_dec[i, j] = x[2i, 2j]`` (seed 004, "Decimation"), up by nearest.
* ``blur-decimate-2``: the classic anti-aliased reduce, a 5-tap binomial
  ``[1, 4, 6, 4, 1] / 16`` low-pass then every other pixel, up by bilinear.
* ``blurpool-2``: NULA's BlurPool, ``[1, 2, 1] / 4`` low-pass then stride 2, up by bilinear.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
from torch.nn import functional as F

from ..errors import InvalidInputError
from ..layers.blur_pool import binomial_kernel, blur_pool2d
from ..registry import Registry


@dataclass(frozen=True)
class Downsampler:
    """A named downsampling operator: ``down`` (B, C, H, W) -> (B, C, H/f, W/f) and ``up`` back to a given size."""

    name: str
    factor: int
    description: str
    down: Callable[[torch.Tensor], torch.Tensor]
    up_mode: str = "bilinear"

    def output_size(self, size: tuple[int, int]) -> tuple[int, int]:
        """``(h, w)`` of ``down`` on an ``H x W`` input."""
        return tuple(-(-s // self.factor) for s in size)  # type: ignore[return-value]

    def up(self, y: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
        """``y`` resized back to ``size`` (``nearest`` for decimation, ``bilinear`` otherwise)."""
        if self.up_mode == "nearest":
            return F.interpolate(y, size=size, mode="nearest")
        return F.interpolate(y, size=size, mode="bilinear", align_corners=False)

    def roundtrip(self, x: torch.Tensor) -> torch.Tensor:
        """``U(D(x))``: what a classifier at the input resolution sees after this operator."""
        _check_images(x)
        return self.up(self.down(x), tuple(x.shape[-2:]))


DOWNSAMPLERS: Registry[Downsampler] = Registry("downsampling operator", InvalidInputError)


def _register(op: Downsampler) -> Downsampler:
    DOWNSAMPLERS.register(op.name)(op)
    return op


def _check_images(x: torch.Tensor) -> None:
    if x.ndim != 4:
        raise InvalidInputError(f"expected images (B, C, H, W), got shape {tuple(x.shape)}")


def _resize(scale: float, antialias: bool = False) -> Callable[[torch.Tensor], torch.Tensor]:
    def down(x: torch.Tensor) -> torch.Tensor:
        _check_images(x)
        size = tuple(max(1, int(s * scale)) for s in x.shape[-2:])
        return F.interpolate(x, size=size, mode="bilinear", align_corners=False, antialias=antialias)

    return down


def decimate(x: torch.Tensor, k: int = 2) -> torch.Tensor:
    """Keep every ``k``-th pixel: ``x[..., ::k, ::k]`` (no smoothing)."""
    _check_images(x)
    return x[..., ::k, ::k]


def _blur_decimate(x: torch.Tensor) -> torch.Tensor:
    return blur_pool2d(x, binomial_kernel(5, dtype=x.dtype, device=x.device), stride=2)


def _blurpool(x: torch.Tensor) -> torch.Tensor:
    return blur_pool2d(x, None, stride=2)


_register(Downsampler("resize-0.5", 2, "plain bilinear resize x0.5 (no antialias: a 2x2 average), bilinear up", _resize(0.5)))
_register(Downsampler("resize-0.25", 4, "plain bilinear resize x0.25 (no antialias), bilinear up", _resize(0.25)))
_register(Downsampler("resize-aa-0.5", 2, "antialiased bilinear resize x0.5 (triangle over 4 pixels), bilinear up",
                      _resize(0.5, antialias=True)))
_register(Downsampler("resize-aa-0.25", 4, "antialiased bilinear resize x0.25 (triangle over 8 pixels), bilinear up",
                      _resize(0.25, antialias=True)))
_register(Downsampler("decimate-2", 2, "keep every other pixel, nearest up", decimate, "nearest"))
_register(Downsampler("blur-decimate-2", 2, "5-tap binomial blur then decimate x2, bilinear up", _blur_decimate))
_register(Downsampler("blurpool-2", 2, "NULA's BlurPool: [1,2,1] blur then stride 2, bilinear up", _blurpool))


def factor_matrix(op: Downsampler, n: int, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    """The 1-D factor ``A`` (``h x n``) of ``D(X) = A X A^T`` on ``n x n`` channels.

    Read off ``D(e_i 1^T) = (A e_i)(B 1)^T``: every operator here keeps constants
    (``B 1 = 1``), so column 0 of ``D(e_i 1^T)`` is ``A e_i``.  The images are
    ``n x 8`` (narrow, any width past the filters' reach gives the same column),
    so memory stays ``O(n^2)``.  Tests check ``A (x) A`` against the dense matrix of ``D``.
    """
    images = torch.zeros(n, 1, n, 8, dtype=dtype)
    images[torch.arange(n), 0, torch.arange(n), :] = 1.0
    return op.down(images)[:, 0, :, 0].transpose(0, 1).contiguous()


def dense_matrix(op: Downsampler, size: tuple[int, int], dtype: torch.dtype = torch.float64, chunk: int = 1024) -> torch.Tensor:
    """The dense ``m x n`` matrix of ``D`` on one ``H x W`` channel (the slow reference), row-major pixels."""
    h, w = size
    n = h * w
    columns = []
    for start in range(0, n, chunk):
        stop = min(n, start + chunk)
        basis = torch.zeros(stop - start, n, dtype=dtype)
        basis[torch.arange(stop - start), torch.arange(start, stop)] = 1.0
        columns.append(op.down(basis.reshape(-1, 1, h, w)).reshape(stop - start, -1))
    return torch.cat(columns).transpose(0, 1).contiguous()

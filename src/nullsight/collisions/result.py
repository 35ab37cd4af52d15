"""Results of the Null-space search (seed 000, Definition 4): dataclasses whose ``to_dict()`` is the JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch


@dataclass
class CollisionResult:
    """One search over a batch: the summary (worst case over images) and the per-image and per-layer record.

    ``exact`` is true only when every image's output differs by at most
    ``1e-9`` relatively in fp64 (a forward pass said so, see
    :mod:`nullsight.collisions.verify`).
    """

    model: str
    task: str
    first_layer: dict[str, Any]
    method: str
    null_dim: int
    null_space: dict[str, Any]
    beta: float
    basis: str
    per_patch: bool
    recipe: str | None
    exact: bool
    max_abs_diff: float | None
    max_rel_diff: float | None
    max_abs_diff_fp64: float | None
    max_rel_diff_fp64: float | None
    first_collision_layer: str | None
    psnr: float | None
    ssim: float | None
    lpips: float | None
    lpips_note: str
    same_top1: bool | None
    message: str
    n_images: int
    beta_max_in_box: float | None = None
    box: dict[str, Any] | None = None
    attack: dict[str, Any] | None = None
    layers: list[dict[str, Any]] = field(default_factory=list)
    images: list[dict[str, Any]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    # tensors for figures and files, not serialised
    x: torch.Tensor | None = field(default=None, repr=False)
    perturbation: torch.Tensor | None = field(default=None, repr=False)
    x_hat: torch.Tensor | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items() if k not in ("x", "perturbation", "x_hat", "extra")}
        out.update(self.extra)
        out["kind"] = "collision"
        return out


@dataclass
class SweepPoint:
    """One beta of the sweep, aggregated over the images."""

    beta: float
    psnr_mean: float | None
    psnr_min: float | None
    ssim_mean: float
    ssim_min: float
    lpips: float | None
    exact_fraction: float
    same_top1_fraction: float
    max_rel_diff_fp64: float
    max_abs_diff: float
    out_of_range_fraction: float

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class SweepResult:
    """PSNR / SSIM against beta with the logits unchanged (seed 000, Fig. 3)."""

    model: str
    method: str
    null_dim: int
    basis: str
    n_images: int
    points: list[SweepPoint]
    lpips_note: str
    message: str
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items() if k not in ("points", "extra")}
        out["points"] = [p.to_dict() for p in self.points]
        out.update(self.extra)
        out["kind"] = "collision-sweep"
        return out

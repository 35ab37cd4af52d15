"""Typed results of the Null-space search (seed 000, Definition 4) and of the beta sweep (Fig. 3).

Tensors (``x``, ``perturbation``, ``x_hat``) ride along for the CLI's save step
and are left out of the JSON (:data:`~nullsight.results.NOT_SERIALISED`); the
``preview`` thumbnails and attribution maps are :class:`~nullsight.artifacts.Artifact`
files beside the JSON, drawn by the report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import torch

from ..artifacts import Artifact
from ..results import NOT_SERIALISED, Result, register_result


EXACT_RTOL = 1e-9
"""A collision is exact when the output's fp64 relative difference is at most this (Fig. 5 shows ~1e-14)."""


@dataclass
class LayerDiff:
    """One module call: the largest differences over the images of the batch."""

    name: str
    type: str
    max_abs_diff: float
    max_rel_diff: float
    max_abs_diff_fp64: float
    max_rel_diff_fp64: float

    @property
    def collides(self) -> bool:
        return self.max_rel_diff_fp64 <= EXACT_RTOL



@dataclass
class FirstLayerInfo:
    """The first linear operator the input meets (found by a forward trace)."""

    name: str
    type: str
    method: str  # fc | patchify | conv-operator
    weight_shape: list[int]
    kernel: list[int] | None = None
    stride: list[int] | None = None
    padding: list[int] | None = None
    dilation: list[int] | None = None
    groups: int | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class PeriodicSpectrum:
    """The circular convolution's singular values, one small SVD per frequency (exact; ``conv_null.periodic_spectrum``)."""

    sigma_max: float
    sigma_min: float
    tolerance: float
    nullity: int
    frequencies: int
    block_shape: list[int]
    frequencies_with_null: int


@dataclass
class SpectrumEstimate:
    """LOBPCG estimates of the smallest singular values of a zero-padded convolution (an upper bound, not a certificate)."""

    sigma: list[float]
    residual: list[float]
    iterations: int
    sigma_max_power: float


@dataclass
class NullSpaceInfo:
    """The null space a collision comes from, and the singular values that decide it."""

    dim: int
    acts_on: str
    method: str
    certified: bool
    sigma_max: float
    sigma_min: float
    tolerance: float
    sigma_below_cut: float | None = None
    sigma_above_cut: float | None = None
    weight_nullity: int | None = None
    periodic: PeriodicSpectrum | None = None
    estimate: SpectrumEstimate | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class Recheck:
    """A collision re-verified after a change that saving makes (clipping to [0, 1], 8-bit PNG)."""

    exact: bool
    max_rel_diff_fp64: float
    same_top1: bool


@dataclass
class Prediction:
    """What the model says of ``x`` and ``x_hat``: top-5 (classifiers) or per-pixel agreement (segmentation)."""

    top5_x: list[int] | None = None
    top5_x_hat: list[int] | None = None
    top5_logits_x: list[float] | None = None
    top5_logits_x_hat: list[float] | None = None
    pixel_agreement: float | None = None
    classes_x: list[int] | None = None
    classes_x_hat: list[int] | None = None


@dataclass
class ImageCheck:
    """One input (an image, signal or vector): its verification (fp32 and fp64), the size of the change,
    similarity (images), and what survives clipping to the valid range and 8-bit storage (images)."""

    index: int
    exact: bool
    max_abs_diff: float
    max_rel_diff: float
    max_abs_diff_fp64: float
    max_rel_diff_fp64: float
    same_top1: bool
    prediction: Prediction
    psnr: float | None
    ssim: float | None
    beta_max_in_box: float | None
    out_of_range_fraction: float | None
    clipped: Recheck | None
    png8: Recheck | None
    linf: float | None = None
    l2: float | None = None


@dataclass
class BoxInfo:
    """The box-constrained perturbation (``--box``): how far it is from ``beta d`` and how it was solved."""

    linf: list[float]
    relative_distance: list[float]
    scale: list[float]
    iterations: int
    solver: str


@dataclass
class Robustness:
    """Over the batch: does the collision survive clipping to ``bounds`` and 8-bit storage (images), how far beta
    can go inside the bounds."""

    clipped: Recheck
    png8: Recheck | None
    out_of_range_fraction: float
    beta_max_in_box: float
    constrained: BoxInfo | None = None
    bounds: list[float] = field(default_factory=lambda: [0.0, 1.0])


@dataclass
class AttackSummary:
    """Eq. 6: ``x' = Omega(x)`` first (an attack through :mod:`nullsight.attacks`), then the null-space step.

    The budget is split so that the total change keeps the attack's limit (the paper: "the added perturbation
    respects the initial l-infinity limit"): the attack runs at ``eps_attack = eps_total - beta`` and the null-space
    step adds at most ``beta``; ``linf_total`` is the measured ``max |x_hat - x|`` per image.
    """

    name: str
    eps: float | None
    steps: int
    success: list[bool]
    success_rate: float
    labels: list[int]
    linf: list[float]
    library: str
    psnr_x_vs_x_hat: float | None
    same_top1_as_adversarial: bool
    eps_total: float | None = None
    linf_total: list[float] = field(default_factory=list)
    within_budget: bool | None = None
    success_rate_after: float | None = None


@dataclass
class PixelRange:
    """The pixel space collisions are built in, and the normalisation the model applies after it."""

    range: list[float]
    mean: list[float]
    std: list[float]


@dataclass
class Preview:
    """8-bit PNG thumbnails of the first image beside the JSON: x, P (rescaled about 0.5), x_hat."""

    original: Artifact
    perturbation: Artifact
    collided: Artifact


@dataclass
class MapComparison:
    """One attribution method at ``x`` against ``x_hat`` (and against the control ``x + R``), fp64, over the batch."""

    method: str
    max_abs_diff: float
    max_rel_diff: float
    agree: bool
    control_max_rel_diff: float
    control_agree: bool
    predicted_diff_error: float | None = None


@dataclass
class Interpretation:
    """Saliency, Integrated Gradients and Grad-CAM of ``x`` and ``x_hat`` (first image's maps kept small for the report)."""

    target: list[int]
    layer: str
    ig_steps: int
    baseline: str
    comparisons: list[MapComparison]
    maps: dict[str, Artifact] = field(default_factory=dict)  # "saliency_x", "ig_x_hat", ...: (H, W) fp64 maps
    library: str = "captum"
    notes: list[str] = field(default_factory=list)

    def by_method(self, method: str) -> MapComparison:
        """The comparison of one of ``saliency``, ``integrated_gradients``, ``grad_cam``."""
        return next(c for c in self.comparisons if c.method == method)


@dataclass(kw_only=True)
class RunContext:
    """Where a collision run's inputs came from besides its provenance: weights, input size, pixel space, labels."""

    weights: str = "none"
    input_size: list[int] = field(default_factory=list)
    pixel_space: PixelRange | None = None
    labels: list[int] = field(default_factory=list)


@register_result
@dataclass
class CollisionResult(Result, RunContext):
    """One Null-space search over a batch: the worst case over images, then per image and per layer.

    ``exact`` is true only when every image's output differs by at most ``1e-9``
    relatively in fp64 (a forward pass said so, :mod:`nullsight.collisions.verify`).
    """

    KIND: ClassVar[str] = "collision"
    PATH_FIELDS: ClassVar[tuple[str, ...]] = ("weights",)
    task: str
    first_layer: FirstLayerInfo
    null_space: NullSpaceInfo
    method: str
    null_dim: int
    beta: float
    basis: str
    per_patch: bool
    recipe: str | None
    exact: bool
    message: str
    n_images: int
    max_abs_diff: float | None = None
    max_rel_diff: float | None = None
    max_abs_diff_fp64: float | None = None
    max_rel_diff_fp64: float | None = None
    first_collision_layer: str | None = None
    psnr: float | None = None
    ssim: float | None = None
    same_top1: bool | None = None
    modality: str = "image"
    patch_betas: list[list[float]] | None = None  # the per-patch multipliers beta_i / beta (patchify), if given
    linf: float | None = None
    l2: float | None = None
    robustness: Robustness | None = None
    attack: AttackSummary | None = None
    layers: list[LayerDiff] = field(default_factory=list)
    images: list[ImageCheck] = field(default_factory=list)
    preview: Preview | None = None
    interpretation: Interpretation | None = None
    x: torch.Tensor | None = field(default=None, repr=False, metadata=NOT_SERIALISED)
    perturbation: torch.Tensor | None = field(default=None, repr=False, metadata=NOT_SERIALISED)
    x_hat: torch.Tensor | None = field(default=None, repr=False, metadata=NOT_SERIALISED)

    def headline(self) -> str:
        if self.max_rel_diff_fp64 is None:
            return f"{self.model}: no exact collision ({self.method}, null dimension {self.null_dim})"
        verdict = "EXACT collision" if self.exact else "not exact"
        return (f"{self.model}: {verdict} through {self.first_layer.name} ({self.method}, null dimension "
                f"{self.null_dim}), beta {self.beta:g}, max relative output difference {self.max_rel_diff_fp64:.1e} "
                f"(fp64) over {self.n_images} image(s)")


@dataclass
class SweepPoint:
    """One beta of the sweep, aggregated over the images."""

    beta: float
    psnr_mean: float | None
    psnr_min: float | None
    ssim_mean: float
    ssim_min: float
    exact_fraction: float
    same_top1_fraction: float
    max_rel_diff_fp64: float
    max_abs_diff: float
    out_of_range_fraction: float


@register_result
@dataclass
class SweepResult(Result, RunContext):
    """PSNR / SSIM against beta with the outputs unchanged (seed 000, Fig. 3)."""

    KIND: ClassVar[str] = "collision-sweep"
    PATH_FIELDS: ClassVar[tuple[str, ...]] = ("weights",)
    method: str
    null_dim: int
    basis: str
    n_images: int
    points: list[SweepPoint]
    message: str

    def headline(self) -> str:
        if not self.points:
            return f"{self.model}: no sweep (no exact collision to scale)"
        low = min(p.psnr_min for p in self.points if p.psnr_min is not None) if any(p.psnr_min is not None for p in self.points) else None
        exact = all(p.exact_fraction == 1.0 for p in self.points)
        shown = f", PSNR down to {low:.1f} dB" if low is not None else ""
        return (f"{self.model}: outputs {'identical' if exact else 'NOT identical'} at every beta "
                f"({self.points[0].beta:g}..{self.points[-1].beta:g}){shown}")

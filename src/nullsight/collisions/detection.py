"""Exact collisions for torchvision detection models, through their input transform (seed 000, Def. 4).

A detector does not see the image it is given: ``model.transform`` normalises it
and resizes it to the model's working size (``min_size`` / ``max_size``, or SSD's
``fixed_size``) before the backbone's first convolution.  The resize is the
first linear operator, so its null space (:mod:`nullsight.collisions.resize_null`)
is where exact collisions live: ``x_hat = x + P`` with ``A_h P_c A_w^T = 0`` for
every channel ``c`` gives the backbone the same tensor, hence the same boxes,
scores and labels, and the forward pass (fp32 and fp64) says so.

An image at or below the working size is upsampled: the resize is injective and
what follows it is the backbone's first convolution applied to a dense,
overlapping grid (stride smaller than the kernel, more output values than input
pixels), so no exact collision is claimed; the result says which and why.

:class:`DetectionOutputs` makes a detector comparable like any model: a batch in,
one ``(B, K, 6)`` tensor out (``x1, y1, x2, y2, score, label`` per detection,
highest score first, padded to the batch's largest count with rows of label -1).
"""

from __future__ import annotations

from typing import Sequence

import torch
from torch import nn

from ..errors import InvalidInputError
from .conv_null import NullSpace
from .first_layer import FirstLayer
from .perturbation import Direction
from .pixel import PixelSpace
from .result import FirstLayerInfo
from .resize_null import ResizeKernel, resize_kernel
from .search import Collision, NullSpaceSearch, Prepared
from .verify import Verifier


def is_detection_transform(module: object) -> bool:
    """Whether ``module`` looks like torchvision's ``GeneralizedRCNNTransform`` (normalise, resize, batch)."""
    return all(hasattr(module, a) for a in ("normalize", "resize", "batch_images", "min_size", "max_size"))


def _sizes(transform: nn.Module) -> str:
    if getattr(transform, "fixed_size", None):
        return f"{transform.min_size[-1]}, or any side above the fixed size {tuple(transform.fixed_size)}"
    return f"{transform.min_size[-1]}, or longer side above its max_size {transform.max_size}"


def transform_output_size(transform: nn.Module, size: tuple[int, int]) -> tuple[int, int]:
    """``(H', W')``: the size ``transform`` resizes an ``H x W`` image to (its own resize, run on a blank image)."""
    was_training = transform.training
    transform.eval()
    try:
        with torch.no_grad():
            resized, _ = transform.resize(torch.zeros(1, *size), None)
    finally:
        transform.train(was_training)
    return tuple(resized.shape[-2:])  # type: ignore[return-value]


class DetectionOutputs(nn.Module):
    """``(B, C, H, W)`` pixels in ``[0, 1]`` -> ``(B, K, 6)`` detections of a torchvision detector (eval mode)."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        found = self.model(list(x))
        rows = [torch.cat([d["boxes"], d["scores"][:, None], d["labels"][:, None].to(d["boxes"])], dim=1) for d in found]
        k = max((len(r) for r in rows), default=0)
        out = x.new_zeros(len(rows), k, 6)
        out[..., 5] = PADDING_LABEL
        for i, r in enumerate(rows):
            out[i, : len(r)] = r
        return out


PADDING_LABEL = -1
"""The label of :class:`DetectionOutputs`' padding rows (torchvision's labels are >= 0)."""


class _ResizeLayer(FirstLayer):
    """The transform's resize as the first operator (its matrix is never formed: only its shape is kept)."""

    def info(self) -> FirstLayerInfo:
        return FirstLayerInfo(self.name, self.module_type, self.method, list(self.weight.shape), notes=list(self.notes))


class ResizeNullSpaceSearch(NullSpaceSearch):
    """:class:`NullSpaceSearch` for a torchvision detector: ``P`` in the null space of its input resize.

    Args:
        model: a torchvision detection model (``model.transform`` normalises and resizes).
        input_size: ``(C, H, W)`` of the images (all of one size); the resize, hence the null space, depends on it.
        beta, box, seed: as for :class:`NullSpaceSearch`; ``P`` is a seeded Gaussian vector of the null space
            scaled to L-infinity ``beta`` (``basis="random"``, the only choice here).
    """

    def __init__(self, model: nn.Module, input_size: Sequence[int], beta: float = 0.05, basis: str | int = "random",
                 per_patch: bool = False, region: tuple[int, int, int, int] | None = None, box: bool = False,
                 bounds: tuple[float, float] | None = None, seed: int = 0, patch_betas: object = None) -> None:
        if not is_detection_transform(getattr(model, "transform", None)):
            raise InvalidInputError(f"{type(model).__name__} has no torchvision detection transform (model.transform); "
                                    "collisions through the input resize need one")
        if len(tuple(input_size)) != 3:
            raise InvalidInputError(f"detection models take images (C, H, W), got input size {tuple(input_size)}")
        if basis != "random" or per_patch or region is not None or patch_betas is not None:
            raise InvalidInputError("detection models: P is a random vector of the resize's null space; "
                                    "--basis K, --per-patch, --region and --patch-betas need a patchify first layer")
        if bounds is not None and tuple(bounds) != (0.0, 1.0):
            raise InvalidInputError("detection models take pixels in [0, 1]; --bounds does not apply")
        super().__init__(model, None, None, input_size, beta=beta, basis="random", box=box, seed=seed,
                         task="detection")
        self._kernel: ResizeKernel | None = None

    def __repr__(self) -> str:
        return f"ResizeNullSpaceSearch(beta={self.beta}, box={self.box}, input_size={self.input_size})"

    @property
    def kernel(self) -> ResizeKernel:
        """The resize ``H x W -> H' x W'`` this detector applies to images of ``input_size``, and its null space."""
        if self._kernel is None:
            _, h, w = self.input_size
            self._kernel = resize_kernel((h, w), transform_output_size(self.model.transform, (h, w)))
        return self._kernel

    def prepare(self) -> Prepared:
        if self._prepared is None:
            kernel, (c, h, w) = self.kernel, self.input_size
            (oh, ow), transform = kernel.out_size, self.model.transform
            notes = [f"normalise (mean {list(transform.image_mean)}, std {list(transform.image_std)}: invertible), "
                     f"then bilinear resize {h}x{w} -> {oh}x{ow} (align_corners=False, no antialias), then "
                     f"zero-padding to a multiple of {transform.size_divisible} (injective)"]
            shape = torch.empty(c * oh * ow, c * h * w, device="meta")  # the operator's shape; never materialised
            first = _ResizeLayer("transform", type(transform).__name__, "resize", shape, torch.float32, (c, h, w),
                                 notes=notes)
            null = NullSpace(dim=c * kernel.nullity, acts_on=f"image ({c} channel(s) of {h}x{w})",
                             method="separable bilinear factors, fp64 SVD", certified=True,
                             sigma_max=kernel.sigma_max, sigma_min=kernel.sigma_min,
                             tolerance=max(kernel.rows.tolerance, kernel.cols.tolerance),
                             notes=[f"per channel: {h}*{w} - rank(A_h) {kernel.rows.rank} * rank(A_w) "
                                    f"{kernel.cols.rank} = {kernel.nullity}"])
            model = PixelSpace(DetectionOutputs(self.model)).eval()
            direction, message = self._resize_direction(kernel)
            self._prepared = Prepared(model, first, null, direction, Verifier(model, "detection"), message)
        return self._prepared

    def _resize_direction(self, kernel: ResizeKernel) -> tuple[Direction | None, str]:
        c, h, w = self.input_size
        (oh, ow) = kernel.out_size
        if kernel.injective:
            return None, (f"no exact collision through the input transform: it upsamples {h}x{w} to {oh}x{ow}, an "
                          f"injective map (both bilinear factors have full column rank, smallest singular value "
                          f"{kernel.sigma_min:.3g}); the backbone's first convolution then runs on a dense overlapping "
                          f"grid, so no exact collision is claimed. An image the transform shrinks (shorter side above its "
                          f"min_size {_sizes(self.model.transform)}) has a null space: pass one")
        generator = torch.Generator().manual_seed(self.seed)
        d = kernel.project(torch.randn(c, h, w, generator=generator, dtype=torch.float64))
        d = d / d.abs().max()
        return (Direction(d, "random vector of ker(resize)", True),
                f"P built from the null space of the input transform's resize {h}x{w} -> {oh}x{ow} "
                f"(dimension {c * kernel.nullity} = {c} x {kernel.nullity})")

    def null_projector(self, prep: Prepared | None = None):
        return self.kernel.project

    def __call__(self, images: torch.Tensor, adversarial: torch.Tensor | None = None, layers: bool = True) -> Collision:
        found = super().__call__(images, adversarial, layers)
        v = found.verification
        if v is not None and not any(p.top5_x or p.top5_x_hat for p in v.predictions):
            found.message += ("; the detector returns no box above its score threshold for these images, so the "
                              "output check is vacuous and the per-layer record carries the proof (every layer that "
                              "sees the whole batch: backbone, FPN, RPN; RoI heads work per proposal and are not hooked)")
        return found


"""The Null-space search of seed 000 (Definition 4, Remark 2, Eq. 6) as one configured object.

>>> import torch
>>> from torch import nn
>>> model = nn.Sequential(nn.Conv2d(3, 8, 4, 4), nn.Flatten(), nn.Linear(8 * 8 * 8, 10)).eval()  # a patchify layer
>>> search = NullSpaceSearch(model, [0.5] * 3, [0.25] * 3, (3, 32, 32), beta=0.1)
>>> found = search(torch.rand(2, 3, 32, 32))   # (B, C, H, W) in [0, 1] -> Collision (x_hat and its Verification)
>>> all(found.verification.exact), search.prepare().null.dim
(True, 40)

``__init__`` stores hyper-parameters; the first call traces the model, finds
the null space and the direction ``d`` (cached); every call builds
``x_hat = x + beta d`` (or the box-constrained ``x + P``) and verifies it with
forward passes.  What saving does to it is :func:`nullsight.collisions.robustness.robustness`;
the JSON record is assembled by :mod:`nullsight.collisions.runner`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import torch
from torch import nn

from ..errors import InvalidInputError
from ..imaging import largest_step
from . import box as boxlib
from .conv_null import DENSE_LIMIT, NullSpace, null_space_for, weight_null_basis
from .first_layer import FirstLayer, find_first_layer
from .perturbation import Direction, check_multipliers, from_patches, image_direction, tiled_direction, to_patches
from .pixel import PixelSpace
from .verify import Verification, Verifier


@dataclass
class Prepared:
    """What does not depend on the images: the wrapped model, its first layer, null space and direction."""

    model: PixelSpace
    first: FirstLayer
    null: NullSpace
    direction: Direction | None
    verifier: Verifier
    message: str


@dataclass
class Collision:
    """``x_hat = x + P`` for a batch (fp64 pixels) and its forward-pass :class:`Verification`.

    ``perturbation``, ``x_hat`` and ``verification`` are None where no null space gives a collision
    (``message`` says why); ``box`` records the box-constrained solve when one was asked for.
    """

    x: torch.Tensor
    perturbation: torch.Tensor | None
    x_hat: torch.Tensor | None
    verification: Verification | None
    box: boxlib.BoxProjection | None
    message: str


class NullSpaceSearch:
    """Exact feature collisions ``x_hat = x + P``, ``P`` in the null space of the first linear operator.

    Seed 000 calls the search task-agnostic: images, 1-D signals and feature vectors go through the same
    verified path; the pixel-only steps (the [0, 1] box, 8-bit PNG, PSNR/SSIM) apply to images only.

    Args (paper symbols in brackets):
        model: takes normalised input; ``mean``/``std`` normalise pixels in ``[0, 1]`` (None: inputs as given).
        input_size: ``(C, H, W)`` images, ``(C, T)`` signals or ``(D,)`` vectors the model is run at.
        beta: L-infinity size of ``P`` in input units (pixels for images) [beta].
        basis: ``K``, ``"random"`` or ``"all"``: which combination of null basis vectors [phi].
        per_patch: a different ``phi_p`` per patch (patchify only) [beta_i phi_i], ``region`` limiting it.
        patch_betas: ``(gh, gw)`` multipliers, one per patch (patchify only): patch ``i`` gets L-infinity
            ``beta * patch_betas[i]`` [beta_i].
        box: choose ``P`` in the null space that keeps ``x + P`` within ``bounds``.
        bounds: the valid input range; ``(0, 1)`` for images, None (unbounded) for other inputs unless given.
        seed: the random combination of basis vectors.
        task: ``"classification"`` or ``"segmentation"`` (how predictions are compared).
    Shapes: ``(B, *input_size)`` float.
    """

    dense_limit: int = DENSE_LIMIT  # operators with more input pixels get matrix-free null-space estimates

    def __init__(self, model: nn.Module, mean: Sequence[float] | None, std: Sequence[float] | None,
                 input_size: Sequence[int], beta: float = 0.05, basis: str | int = "random", per_patch: bool = False,
                 region: tuple[int, int, int, int] | None = None, box: bool = False,
                 bounds: tuple[float, float] | None = None, seed: int = 0, task: str = "classification",
                 patch_betas: torch.Tensor | None = None) -> None:
        self.model = model
        self.mean, self.std = (tuple(mean), tuple(std)) if mean is not None and std is not None else (None, None)
        self.input_size = tuple(int(s) for s in input_size)
        self.beta, self.basis, self.per_patch, self.region, self.box = float(beta), basis, per_patch, region, box
        self.bounds = (0.0, 1.0) if bounds is None and self.is_image else bounds
        self.seed, self.task = seed, task
        self.patch_betas = None if patch_betas is None else torch.as_tensor(patch_betas, dtype=torch.float64)
        self._prepared: Prepared | None = None

    @property
    def is_image(self) -> bool:
        """Images are ``(C, H, W)``: only they get the pixel box, PNG storage and PSNR/SSIM."""
        return len(self.input_size) == 3

    @property
    def step_linf(self) -> float:
        """The L-infinity size of the null-space step: ``beta``, times the largest per-patch multiplier if given."""
        if self.patch_betas is None:
            return self.beta
        return self.beta * float(self.patch_betas.abs().max())

    @property
    def modality(self) -> str:
        return {3: "image", 2: "signal", 1: "vector"}.get(len(self.input_size), "tensor")

    def __repr__(self) -> str:
        return (f"NullSpaceSearch(beta={self.beta}, basis={self.basis!r}, per_patch={self.per_patch}, "
                f"region={self.region}, box={self.box}, task={self.task!r})")

    def prepare(self) -> Prepared:
        """Trace, null space and direction (computed once)."""
        if self._prepared is None:
            model = PixelSpace(self.model, self.mean, self.std).eval()
            first = find_first_layer(model, self.input_size)  # type: ignore[arg-type]
            null = null_space_for(first, dense_limit=self.dense_limit, seed=self.seed)
            direction, message = self._direction(first, null)
            if direction is not None and not self.is_image:  # solved in the (C, H, W) view, used in the model's shape
                direction.image = direction.image.reshape(self.input_size)
            self._prepared = Prepared(model, first, null, direction, Verifier(model, self.task), message)
        return self._prepared

    def _direction(self, first: FirstLayer, null: NullSpace) -> tuple[Direction | None, str]:
        if (self.per_patch or self.region is not None or self.patch_betas is not None) and first.method != "patchify":
            raise InvalidInputError(f"--per-patch / --region / --patch-betas need a patchify first layer; {first.name} "
                                    f"is {first.method}")
        if null.dim and null.basis is not None:
            if first.method == "patchify":
                if self.patch_betas is not None:  # the grid as the patches see it, recorded so
                    self.patch_betas = check_multipliers(self.patch_betas, first.patch_grid)
                d = tiled_direction(first, null.basis, self.basis, self.seed, self.per_patch, self.region,
                                    multipliers=self.patch_betas)
            else:
                d = image_direction(first, null.basis, self.basis, self.seed)
            where = "ker(W_1)" if first.method != "conv-operator" else "the null space of the convolution operator"
            return d, f"P built from {where} (dimension {null.dim}{'' if null.certified else ', estimated'})"
        if first.method == "conv-operator":
            phi = weight_null_basis(first)
            no = (f"no exact collision exists through {first.name}: the convolution operator at "
                  f"{'x'.join(map(str, self.input_size[1:] or self.input_size))} has a trivial null space"
                  f"{'' if null.certified else ' (estimate: no singular value below the tolerance found)'}")
            if phi is None:
                return None, no + "; W_1 itself has a trivial null space, so not even the paper's recipe applies"
            d = tiled_direction(first, phi, self.basis, self.seed, exact=False)
            return d, no + (f"; shown instead: the residual of the paper's tiled-phi recipe (phi in ker(W_1), "
                            f"nullity {phi.shape[1]}, repeated with the kernel's period)")
        return None, (f"no exact collision exists through {first.name}: its weight {tuple(first.patch_matrix.shape)} "
                      f"has a trivial null space (full column rank at tolerance {null.tolerance:.3e})")

    def check_images(self, images: torch.Tensor) -> torch.Tensor:
        """Shape, finiteness and range checks at the door; returns fp64 inputs (images, signals or vectors)."""
        expected = "x".join(map(str, self.input_size))
        if not isinstance(images, torch.Tensor) or images.ndim != len(self.input_size) + 1:
            shape = list(images.shape) if isinstance(images, torch.Tensor) else type(images).__name__
            raise InvalidInputError(f"expected a batch of {self.modality}s of shape [B, {', '.join(map(str, self.input_size))}], "
                                    f"got {shape}")
        if tuple(images.shape[1:]) != self.input_size:
            got = "x".join(map(str, images.shape[1:]))
            hint = " (pass --resize to resize it)" if self.is_image else " (pass --input-size to name the model's input)"
            raise InvalidInputError(f"the {self.modality} is {got} but the model takes {expected}{hint}")
        if not torch.isfinite(images).all():
            raise InvalidInputError(f"the input holds {int((~torch.isfinite(images)).sum())} NaN/Inf value(s)")
        if self.bounds is not None and (images.min() < self.bounds[0] or images.max() > self.bounds[1]):
            what = "pixel values" if self.is_image else "input values"
            raise InvalidInputError(f"{what} must lie in [{self.bounds[0]:g}, {self.bounds[1]:g}], got "
                                    f"[{float(images.min()):.4g}, {float(images.max()):.4g}]")
        return images.to(torch.float64)

    def perturb(self, x: torch.Tensor, beta: float | None = None) -> tuple[torch.Tensor, boxlib.BoxProjection | None]:
        """``P`` for images ``x`` (fp64): ``beta d``, or its box-constrained version."""
        prep = self.prepare()
        beta = self.beta if beta is None else float(beta)
        d = prep.direction.image.to(x.device).unsqueeze(0)  # type: ignore[union-attr]
        target = beta * d
        if not self.box:
            return target.expand_as(x).clone(), None
        if self.bounds is None:
            raise InvalidInputError("--box needs a valid input range: pass --bounds LO,HI")
        low, high = self.bounds
        if not prep.direction.exact_by_construction or not prep.null.certified:  # type: ignore[union-attr]
            raise InvalidInputError("--box needs an exact null-space basis; this first layer has none")
        mask = d != 0
        saturated = boxlib.out_of_range_fraction(x + target, mask, low, high)
        if bool((saturated >= 1.0).all()):
            bm = float(largest_step(x, d, low, high).min())
            raise InvalidInputError(f"beta {beta:g} pushes every perturbed value out of [{low:g}, {high:g}]; nothing of the "
                                    f"requested perturbation survives the box (largest in-range beta: {bm:.4g})")
        proj = boxlib.box_project(x, target, self.null_projector(prep), low=low, high=high)
        return proj.perturbation, proj

    def null_projector(self, prep: Prepared | None = None):
        """The orthogonal projector onto the null space (a batched function of inputs ``(B, *input_size)``)."""
        prep = prep or self.prepare()
        first, basis = prep.first, prep.null.basis
        if first.method != "patchify":
            def project(v: torch.Tensor) -> torch.Tensor:
                flat = v.flatten(1)
                return ((flat @ basis) @ basis.T).reshape(v.shape)
            return project
        c, h, w = first.input_size
        kh, kw = first.kernel
        gh, gw = first.patch_grid
        keep = (prep.direction.mask if prep.direction.mask is not None  # type: ignore[union-attr]
                else torch.ones(h, w, dtype=torch.bool)).to(torch.float64)

        def project_patches(v: torch.Tensor) -> torch.Tensor:
            shape, v = v.shape, v.reshape(v.shape[0], c, h, w)  # the (C, H, W) view of signals
            patches = (to_patches(v, (kh, kw)) @ basis) @ basis.T
            out = v.clone()  # pixels outside the patch grid are never seen: left free
            out[:, :, : gh * kh, : gw * kw] = from_patches(patches, c, (kh, kw), (gh, gw))
            return (out * keep).reshape(shape)
        return project_patches

    def __call__(self, images: torch.Tensor, adversarial: torch.Tensor | None = None, layers: bool = True) -> Collision:
        """``x_hat = x' + P`` for every image and its verification; ``x' = adversarial`` (Eq. 6) or ``x``.

        ``layers``: record every layer's difference (Fig. 5), not only the output's.
        """
        x = self.check_images(images)
        prep = self.prepare()
        base = x if adversarial is None else self.check_images(adversarial)
        if prep.direction is None:
            return Collision(base, None, None, None, None, prep.message)
        p, box = self.perturb(base)
        x_hat = base + p
        verification = (prep.verifier if layers else prep.verifier.without_layers())(base, x_hat)
        exact = all(verification.exact)
        message = prep.message + ("; verified exact (fp64 relative difference <= 1e-9)" if exact else
                                  "; NOT exact: the forward pass shows a difference above 1e-9 (fp64, relative)")
        return Collision(base, p, x_hat, verification, box, message)

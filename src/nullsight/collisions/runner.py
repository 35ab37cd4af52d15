"""From names to verified collision results: load the model (:mod:`nullsight.models`) and images (:mod:`nullsight.data`).

Pixel space is ``[0, 1]``; the normalisation is the one a nullsight checkpoint
records, else the data source's (an image file: ImageNet statistics for RGB,
0.5 / 0.5 for grey), applied inside
:class:`~nullsight.collisions.pixel.PixelSpace`.  Images of the wrong size or
channel count are refused unless ``resize`` is asked for.
"""

from __future__ import annotations

import dataclasses
import statistics
from pathlib import Path
from typing import Sequence

import torch

from ..data import DataBatch, load_data
from ..errors import InvalidInputError
from ..models import LoadedModel, load_model
from ..versions import versions
from ..attacks import AttackResult, run_attack
from ..imaging import thumbnail
from .metrics import finite_mean, psnr, ssim
from .result import AttackSummary, BoxInfo, CollisionResult, ImageCheck, PixelRange, Preview, SweepResult
from .robustness import robustness
from .search import Collision, NullSpaceSearch
from .sweep import DEFAULT_BETAS, beta_sweep


def load_inputs(spec: str, weights: str = "none", arch: str | None = None, seed: int = 0, device: str = "cpu",
                image: str | Path | None = None, data: str | None = None, n: int = 1,
                resize: bool = False) -> tuple[LoadedModel, DataBatch]:
    """The model and the images to collide with (``image`` file or ``data`` source, ``n`` images)."""
    if (image is None) == (data is None):
        raise InvalidInputError("give exactly one of --image PATH or --data NAME")
    loaded = load_model(spec, weights=weights, arch=arch, seed=seed, device=device)
    if loaded.task not in ("classification", "segmentation"):
        raise InvalidInputError(f"{loaded.spec} is a {loaded.task} model; collide supports classification and "
                                "segmentation models (detection models resize their input internally)")
    c, h, w = loaded.input_size
    kwargs = {"size": (h, w), "channels": c} if resize else {}
    if n < 1:
        raise InvalidInputError(f"--n must be at least 1, got {n}")
    batch = load_data(image if image is not None else data, n=None if image is not None else n, seed=seed, **kwargs)
    if batch.images.shape[1] != c and not resize:
        raise InvalidInputError(f"the images have {batch.images.shape[1]} channel(s) but {loaded.spec} takes {c} "
                                "(pass --resize to convert)")
    return loaded, batch


def pixel_normalization(loaded: LoadedModel, batch: DataBatch) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """The checkpoint's recorded input normalisation (what it was trained with), else the data source's."""
    return loaded.normalization() or (tuple(batch.mean), tuple(batch.std))


def make_search(loaded: LoadedModel, batch: DataBatch, **options) -> NullSpaceSearch:
    mean, std = pixel_normalization(loaded, batch)
    return NullSpaceSearch(loaded.module, mean, std, loaded.input_size, task=loaded.task, **options)


def collide(loaded: LoadedModel, batch: DataBatch, attack: str | None = None, eps: float = 8 / 255, steps: int = 10,
            seed: int = 0, **options) -> CollisionResult:
    """Run the search on ``batch`` (after attack ``attack`` for Eq. 6) and record it, verified, as a :class:`CollisionResult`."""
    search = make_search(loaded, batch, seed=seed, **options)
    device = next(loaded.module.parameters()).device
    images = batch.images.to(device)
    clean = search.check_images(images)
    adv = None
    if attack is not None:
        adv = run_attack(loaded.module, images, *pixel_normalization(loaded, batch), attack, eps, steps, seed)
    result = record(search, search(images, None if adv is None else adv.adversarial), loaded.spec, adv, clean)
    return dataclasses.replace(result, task=loaded.task, **_context(loaded, batch, seed))


def record(search: NullSpaceSearch, found: Collision, name: str = "model", attack: AttackResult | None = None,
           attack_input: torch.Tensor | None = None) -> CollisionResult:
    """The JSON record of one search: verification per image and layer, robustness to storage, similarity, previews.

    With Eq. 6, ``attack`` made the base images ``x'`` from the clean ``attack_input``.
    """
    prep = search.prepare()
    common = dict(model=name, task=search.task, first_layer=prep.first.info(), null_space=prep.null.info(),
                  method=prep.first.method, null_dim=prep.null.dim, beta=search.beta, basis=str(search.basis),
                  per_patch=search.per_patch, n_images=found.x.shape[0])
    v = found.verification
    if v is None or found.x_hat is None or found.perturbation is None:
        return CollisionResult(**common, recipe=None, exact=False, message=found.message, x=found.x)
    base, x_hat = found.x, found.x_hat
    summary, per_image = robustness(prep.verifier, base, x_hat, prep.direction.image)  # type: ignore[union-attr]
    if found.box is not None:
        b = found.box
        summary.constrained = BoxInfo(b.linf, b.relative_distance, b.scale, b.iterations, b.solver)
    ps, ss = psnr(base, x_hat), ssim(base, x_hat)
    images = [ImageCheck(i, v.exact[i], v.max_abs_diff[i], v.max_rel_diff[i], v.max_abs_diff_fp64[i],
                         v.max_rel_diff_fp64[i], v.same_top1[i], v.predictions[i], ps[i], ss[i], bmax, oor, clipped, png)
              for i, (clipped, png, bmax, oor) in enumerate(per_image)]
    attack_summary = None
    if attack is not None:
        clean = attack_input if attack_input is not None else base
        attack_summary = AttackSummary(attack.name, attack.eps, attack.steps, attack.success, attack.success_rate,
                                       attack.labels, attack.linf, "foolbox", finite_mean(psnr(clean, x_hat)),
                                       all(v.same_top1))
    return CollisionResult(
        **common, recipe=prep.direction.recipe, exact=all(v.exact), message=found.message,  # type: ignore[union-attr]
        max_abs_diff=max(v.max_abs_diff), max_rel_diff=max(v.max_rel_diff), max_abs_diff_fp64=max(v.max_abs_diff_fp64),
        max_rel_diff_fp64=max(v.max_rel_diff_fp64), first_collision_layer=v.first_collision_layer,
        psnr=finite_mean(ps), ssim=statistics.fmean(ss), same_top1=all(v.same_top1), robustness=summary,
        attack=attack_summary, layers=v.layers, images=images, preview=preview(base[0], found.perturbation[0], x_hat[0]),
        x=base, perturbation=found.perturbation, x_hat=x_hat)


def preview(x: torch.Tensor, p: torch.Tensor, x_hat: torch.Tensor) -> Preview:
    """8-bit thumbnails of one image: the original, the perturbation (rescaled about 0.5), the collision (clipped)."""
    peak = float(p.abs().max()) or 1.0
    return Preview(*(thumbnail(t).tolist() for t in (x, 0.5 + 0.5 * p / peak, x_hat)))


def sweep(loaded: LoadedModel, batch: DataBatch, betas: Sequence[float] = DEFAULT_BETAS, seed: int = 0,
          track=None, **options) -> SweepResult:
    """The beta sweep (Fig. 3) on ``batch``."""
    search = make_search(loaded, batch, seed=seed, **options)
    device = next(loaded.module.parameters()).device
    result = beta_sweep(search, batch.images.to(device), betas, track=track, name=loaded.spec)
    return dataclasses.replace(result, **_context(loaded, batch, seed))


def _context(loaded: LoadedModel, batch: DataBatch, seed: int) -> dict:
    mean, std = pixel_normalization(loaded, batch)
    return {"weights": loaded.weights, "seed": seed, "data": batch.name, "input_size": list(loaded.input_size),
            "pixel_space": PixelRange([0.0, 1.0], list(mean), list(std)), "labels": batch.labels.tolist(),
            "versions": versions()}

"""From names to verified collision results: load the model (:mod:`nullsight.models`) and images (:mod:`nullsight.data`).

Pixel space is ``[0, 1]``; the normalisation is the one a nullsight checkpoint
records, else the data source's (an image file: ImageNet statistics for RGB,
0.5 / 0.5 for grey), applied inside
:class:`~nullsight.collisions.pixel.PixelSpace`.  Images of the wrong size or
channel count are refused unless ``resize`` is asked for.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import torch

from ..data import DataBatch, load_data
from ..errors import InvalidInputError
from ..models import LoadedModel, load_model
from ..versions import versions
from ..attacks import run_attack
from .report import previews
from .search import NullSpaceSearch
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
    return NullSpaceSearch(loaded.module, mean, std, loaded.input_size, task=loaded.task, name=loaded.spec, **options)


def collide(loaded: LoadedModel, batch: DataBatch, attack: str | None = None, eps: float = 8 / 255, steps: int = 10,
            seed: int = 0, **options) -> tuple[dict, object]:
    """Run the search on ``batch``; returns the JSON-ready dict (with previews) and the :class:`CollisionResult`."""
    search = make_search(loaded, batch, seed=seed, **options)
    device = next(loaded.module.parameters()).device
    images = batch.images.to(device)
    search.check_images(images)
    adv = None
    if attack is not None:
        adv = run_attack(loaded.module, images, *pixel_normalization(loaded, batch), attack, eps, steps, seed)
    result = search(images, attack=adv)
    out = result.to_dict()
    if result.x_hat is not None:
        out["previews"] = previews(result.x, result.perturbation, result.x_hat)
    out.update(_context(loaded, batch, seed))
    return out, result


def sweep(loaded: LoadedModel, batch: DataBatch, betas: Sequence[float] = DEFAULT_BETAS, seed: int = 0,
          track=None, **options) -> dict:
    """The beta sweep on ``batch`` as a JSON-ready dict."""
    search = make_search(loaded, batch, seed=seed, layers=False, **options)
    device = next(loaded.module.parameters()).device
    out = beta_sweep(search, batch.images.to(device), betas, track=track).to_dict()
    out.update(_context(loaded, batch, seed))
    return out


def _context(loaded: LoadedModel, batch: DataBatch, seed: int) -> dict:
    return {"weights": loaded.weights, "seed": seed, "data": batch.name, "input_size": list(loaded.input_size),
            "pixel_space": {"range": [0.0, 1.0], **dict(zip(("mean", "std"), map(list, pixel_normalization(loaded, batch))))},
            "labels": batch.labels.tolist(), "versions": versions()}

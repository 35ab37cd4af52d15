"""``load_data``: one entry point for named sources, image folders and single image files."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from pathlib import Path

import torch

from ..errors import DataNotFoundError
from .base import DataBatch
from .constants import IMAGENET_MEAN, IMAGENET_STD
from .images import load_folder, load_image, split_folder
from .source import DATA_SOURCES
from .transforms import convert_channels, fit_to, select_indices, to_float_tensor

FOLDER_PREFIX = "folder:"
IMAGEFOLDER_PREFIX = "imagefolder:"  # ROOT/<split>/<class>/*.png (torchvision ImageFolder, Imagenette's layout)


def load_data(
    name: str | Path,
    split: str = "test",
    n: int | None = None,
    root: str | Path | None = None,
    seed: int = 0,
    *,
    shuffle: bool = False,
    size: Sequence[int] | None = None,
    channels: int | None = None,
    mean: Sequence[float] | None = None,
    std: Sequence[float] | None = None,
    fit: str = "resize",
) -> DataBatch:
    """Load ``n`` images (all if None) of ``split`` from a named source, ``folder:PATH``, ``imagefolder:ROOT`` (the
    ``split`` folder below ROOT, :func:`~nullsight.data.images.split_folder`), a directory or a file.

    The first ``n`` are taken, or a ``seed``-ed random subset if ``shuffle``.
    ``root`` replaces :func:`data_root` for named sources.  ``size=(H, W)``
    resizes (``fit="resize"``) or zero-pads (``fit="pad"``), ``channels`` (1 or 3) converts, ``mean``/``std`` override the
    source's normalisation.  A registered name wins over a same-named
    directory; write ``folder:NAME`` for the directory.
    """
    text = str(name)
    if text.startswith(IMAGEFOLDER_PREFIX):
        text = FOLDER_PREFIX + str(split_folder(text[len(IMAGEFOLDER_PREFIX) :], split))
    if text.startswith(FOLDER_PREFIX):
        folder = Path(text[len(FOLDER_PREFIX) :]).expanduser()
        if fit == "pad":  # padded after decoding at the native size
            return _finish(load_folder(folder, split, n, seed, shuffle, None, channels), size, None, mean, std, fit)
        return _finish(load_folder(folder, split, n, seed, shuffle, size, channels), None, None, mean, std)
    path = Path(text).expanduser()
    if isinstance(name, Path) or (text not in DATA_SOURCES and (path.exists() or "/" in text or os.sep in text)):
        if fit == "pad":
            return _finish(_from_path(path, split, n, seed, shuffle, None, channels), size, None, mean, std, fit)
        return _finish(_from_path(path, split, n, seed, shuffle, size, channels), None, None, mean, std)
    source = DATA_SOURCES.get(text)  # unknown names fail here, with suggestions
    source.check_split(split)
    raw = source.read(source.find(Path(root) if root is not None else None), split)
    keep = select_indices(len(raw.labels), n, shuffle, seed)
    images = raw.images[keep] if shuffle else raw.images[: len(keep)]
    batch = DataBatch(
        name=source.name,
        images=to_float_tensor(images),
        labels=torch.from_numpy(raw.labels[keep].copy()),
        mean=source.mean,
        std=source.std,
        classes=list(raw.classes),
        split=split,
    )
    return _finish(batch, size, channels, mean, std, fit)


def _from_path(
    path: Path, split: str, n: int | None, seed: int, shuffle: bool, size: Sequence[int] | None, channels: int | None
) -> DataBatch:
    if path.is_dir():
        return load_folder(path, split, n, seed, shuffle, size, channels)
    if not path.exists():
        raise DataNotFoundError(f"no such file or directory: {path}")
    select_indices(1, n)  # validates n
    image = load_image(path, size, channels)
    mean, std = (IMAGENET_MEAN, IMAGENET_STD) if image.shape[0] == 3 else ((0.5,), (0.5,))
    labels = torch.full((1,), -1, dtype=torch.int64)
    return DataBatch(name=str(path), images=image[None], labels=labels, mean=mean, std=std, split=split)


def _finish(
    batch: DataBatch,
    size: Sequence[int] | None,
    channels: int | None,
    mean: Sequence[float] | None,
    std: Sequence[float] | None,
    fit: str = "resize",
) -> DataBatch:
    if channels is not None:
        batch = convert_channels(batch, channels)
    if size is not None:
        batch = fit_to(batch, size, fit)
    if mean is not None or std is not None:
        batch = dataclasses.replace(
            batch,
            mean=tuple(mean) if mean is not None else batch.mean,
            std=tuple(std) if std is not None else batch.std,
        )
    return batch

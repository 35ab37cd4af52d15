"""Reading image files: one file (:func:`load_image`) or a whole folder (:func:`load_folder`).

A folder is either flat (every non-hidden file must be an image; labels are -1)
or in torchvision's ImageFolder layout (one subfolder per class).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import numpy as np
import torch
from PIL import Image, UnidentifiedImageError

from ..errors import DataNotFoundError, InvalidInputError
from .base import DataBatch
from .constants import IMAGENET_MEAN, IMAGENET_STD
from .transforms import select_indices

_GRAY = {"1", "L", "LA", "La", "I", "I;16", "I;16L", "I;16B", "I;16N", "F"}
_DEEP = {"I", "I;16", "I;16L", "I;16B", "I;16N", "F"}


def load_image(path: str | Path, size: Sequence[int] | None = None, channels: int | None = None) -> torch.Tensor:
    """One image file as a (C, H, W) float32 tensor in [0, 1].

    ``size=(H, W)`` resizes (bilinear); ``channels`` (1 or 3) converts, else
    grayscale files give 1 channel and everything else 3.
    """
    path = Path(path)
    mode, _ = probe_image(path)
    return torch.from_numpy(_decode(path, size, channels or native_channels(mode)))


def probe_image(path: Path) -> tuple[str, tuple[int, int]]:
    """(PIL mode, (H, W)) of an image file without decoding it."""
    if not path.exists():
        raise DataNotFoundError(f"no such image file: {path}")
    if not path.is_file():
        raise InvalidInputError(f"not an image: {path}")
    try:
        with _no_bombs(path), Image.open(path) as img:
            return img.mode, (img.height, img.width)
    except UnidentifiedImageError:
        raise InvalidInputError(f"not an image: {path}") from None
    except OSError as exc:
        raise InvalidInputError(f"cannot read image {path}: {exc}") from None


@contextmanager
def _no_bombs(path: Path) -> Iterator[None]:
    """Refuse images larger than PIL's ``MAX_IMAGE_PIXELS`` (decompression bombs) in one line, warning or not."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidInputError(f"refusing {path}: over {Image.MAX_IMAGE_PIXELS} pixels, a possible "
                                "decompression bomb") from None


def native_channels(mode: str) -> int:
    """1 for grayscale PIL modes, 3 for everything else."""
    return 1 if mode in _GRAY else 3


def _decode(path: Path, size: Sequence[int] | None, channels: int) -> np.ndarray:
    if channels not in (1, 3):
        raise InvalidInputError(f"channels must be 1 or 3, got {channels}")
    try:
        with _no_bombs(path), Image.open(path) as img:
            if img.mode in _DEEP:
                arr = _deep_gray(img, path, size)
            else:
                img = img.convert("L" if channels == 1 else "RGB")
                if size is not None:
                    img = img.resize((int(size[1]), int(size[0])), Image.Resampling.BILINEAR)
                arr = np.asarray(img, dtype=np.float32) / 255.0
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise InvalidInputError(f"cannot read image {path}: {exc}") from None
    arr = arr[None] if arr.ndim == 2 else arr.transpose(2, 0, 1)
    if channels == 3 and arr.shape[0] == 1:
        arr = np.repeat(arr, 3, axis=0)
    return np.ascontiguousarray(arr, dtype=np.float32)


def _deep_gray(img: Image.Image, path: Path, size: Sequence[int] | None) -> np.ndarray:
    """16/32-bit integer or float grayscale, scaled to [0, 1] (integers as 16-bit)."""
    arr = np.asarray(img).astype(np.float32)
    if img.mode == "F":
        if arr.size and (np.nanmin(arr) < 0 or np.nanmax(arr) > 1 or not np.isfinite(arr).all()):
            raise InvalidInputError(f"float image {path} has values outside [0, 1]")
    else:
        arr = np.clip(arr / 65535.0, 0.0, 1.0)
    if size is not None:
        resized = Image.fromarray(arr, mode="F").resize((int(size[1]), int(size[0])), Image.Resampling.BILINEAR)
        arr = np.clip(np.asarray(resized, dtype=np.float32), 0.0, 1.0)
    return arr


SPLIT_FOLDERS = {"test": ("test", "val", "validation"), "train": ("train",), "val": ("val", "validation")}


def split_folder(root: str | Path, split: str) -> Path:
    """The folder of ``split`` below a torchvision ``ImageFolder``-style root (``root/train/<class>/...``,
    ``root/val/<class>/...``, as Imagenette ships): ``test`` falls back to ``val``; a root without split folders is
    its own split (its subfolders are the classes)."""
    root = Path(root).expanduser()
    if not root.is_dir():
        raise DataNotFoundError(f"no such directory: {root}")
    for name in SPLIT_FOLDERS.get(split, (split,)):
        if (root / name).is_dir():
            return root / name
    if any((root / name).is_dir() for names in SPLIT_FOLDERS.values() for name in names):
        raise DataNotFoundError(f"{root} has split folders but none for split {split!r}")
    return root


def list_folder(folder: Path) -> tuple[list[Path], list[int], list[str]]:
    """(files, labels, classes): flat folder -> labels -1; class subfolders -> ImageFolder labels."""
    if not folder.is_dir():
        raise DataNotFoundError(f"no such directory: {folder}")
    entries = sorted(p for p in folder.iterdir() if not p.name.startswith("."))
    subdirs = [p for p in entries if p.is_dir()]
    files = [p for p in entries if not p.is_dir()]
    if subdirs and files:
        raise InvalidInputError(f"{folder} mixes files ({files[0].name}) and class folders ({subdirs[0].name})")
    if not subdirs:
        labels, classes = [-1] * len(files), []
    else:
        classes = [d.name for d in subdirs]
        files, labels = [], []
        for label, sub in enumerate(subdirs):
            found = sorted(p for p in sub.rglob("*") if p.is_file() and not _hidden(p, sub))
            files += found
            labels += [label] * len(found)
    if not files:
        raise InvalidInputError(f"no image files in {folder}")
    return files, labels, classes


def _hidden(path: Path, base: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(base).parts)


def load_folder(
    folder: str | Path,
    split: str = "test",
    n: int | None = None,
    seed: int = 0,
    shuffle: bool = False,
    size: Sequence[int] | None = None,
    channels: int | None = None,
) -> DataBatch:
    """Every image in ``folder`` (sorted) as a :class:`DataBatch`; all must share one size unless ``size``."""
    folder = Path(folder).expanduser()
    files, labels, classes = list_folder(folder)
    keep = select_indices(len(files), n, shuffle, seed)
    files, labels = [files[i] for i in keep], [labels[i] for i in keep]
    probes = [probe_image(f) for f in files]
    if channels is None:
        channels = 1 if all(native_channels(mode) == 1 for mode, _ in probes) else 3
    if size is None:
        first = probes[0][1]
        for f, (_, hw) in zip(files, probes):
            if hw != first:
                raise InvalidInputError(
                    f"{f} is {hw[0]}x{hw[1]} but {files[0].name} is {first[0]}x{first[1]}; pass size=(H, W) to resize"
                )
    images = np.stack([_decode(f, size, channels) for f in files])
    mean, std = (IMAGENET_MEAN, IMAGENET_STD) if channels == 3 else ((0.5,), (0.5,))
    return DataBatch(
        name=f"folder:{folder}",
        images=torch.from_numpy(images),
        labels=torch.tensor(labels, dtype=torch.int64),
        mean=mean,
        std=std,
        classes=classes,
        split=split,
    )

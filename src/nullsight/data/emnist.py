"""EMNIST Balanced (47 classes, 28x28) from a user's folder: the IDX files of the official release.

EMNIST is not packaged here; point ``root`` (or ``$NULLSIGHT_DATA/emnist``) at
the folder holding ``emnist-balanced-{train,test}-{images-idx3,labels-idx1}-ubyte[.gz]``
(the ``gzip`` folder of the NIST release, or torchvision's ``EMNIST/raw``).
EMNIST stores images transposed; they are returned upright, like MNIST.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import DataNotFoundError, InvalidInputError
from .base import data_root
from .idx import read_idx
from .mnist import find_file
from .source import DataSource, RawSplit, register

BALANCED_CLASSES = list("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") + list("abdefghnqrt")
FILES = {split: (f"emnist-balanced-{split}-images-idx3-ubyte", f"emnist-balanced-{split}-labels-idx1-ubyte")
         for split in ("train", "test")}


def _folders(root: Path | None) -> list[Path]:
    base = Path(root).expanduser() if root is not None else data_root() / "emnist"
    return [base, base / "gzip", base / "EMNIST" / "raw"]


def _locate(root: Path | None) -> Path | None:
    for folder in _folders(root):
        if all(find_file(folder, stem) for pair in FILES.values() for stem in pair):
            return folder
    return None


def _read(folder: Path, split: str) -> RawSplit:
    image_file, label_file = (find_file(folder, stem) for stem in FILES[split])
    if image_file is None or label_file is None:
        raise DataNotFoundError(f"missing EMNIST {split} IDX files in {folder}")
    images, labels = read_idx(image_file), read_idx(label_file)
    if images.ndim != 3 or labels.shape != images.shape[:1] or (labels.size and labels.max() >= len(BALANCED_CLASSES)):
        raise InvalidInputError(f"{image_file}: not EMNIST Balanced ({images.shape}, labels {labels.shape})")
    upright = np.ascontiguousarray(images.transpose(0, 2, 1))
    return RawSplit(upright[:, None], labels.astype(np.int64), list(BALANCED_CLASSES))


EMNIST_SOURCE = register(
    DataSource(
        name="emnist",
        title="EMNIST Balanced",
        shape=(1, 28, 28),
        splits={"train": 112800, "test": 18800},
        mean=(0.1751,),
        std=(0.3332,),
        how_to_get="download the EMNIST release (https://www.nist.gov/itl/products-and-services/emnist-dataset) "
                   "and put its emnist-balanced-* IDX files in $NULLSIGHT_DATA/emnist or pass its folder as root",
        locate=_locate,
        read=_read,
        home="emnist",
    )
)

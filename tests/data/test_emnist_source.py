"""EMNIST Balanced from a user's folder: transposed IDX files come back upright."""

import numpy as np
import pytest

from nullsight.data import load_data, write_idx
from nullsight.errors import DataNotFoundError


def test_emnist_reads_user_files_upright(tmp_path):
    images = np.zeros((3, 28, 28), dtype=np.uint8)
    images[:, 0, 5] = 255  # stored transposed: row 0, col 5 -> upright row 5, col 0
    for split in ("train", "test"):
        write_idx(tmp_path / f"emnist-balanced-{split}-images-idx3-ubyte", images)
        write_idx(tmp_path / f"emnist-balanced-{split}-labels-idx1-ubyte", np.array([0, 10, 46], dtype=np.uint8))
    batch = load_data("emnist", split="test", root=tmp_path)
    assert batch.images.shape == (3, 1, 28, 28) and batch.labels.tolist() == [0, 10, 46]
    assert batch.images[0, 0, 5, 0] == 1.0 and batch.classes[46] == "t"


def test_emnist_missing_says_how_to_get_it(tmp_path):
    with pytest.raises(DataNotFoundError, match="EMNIST"):
        load_data("emnist", root=tmp_path)

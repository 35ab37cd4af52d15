"""DataBatch: normalisation, device moves, validation; data_root()."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from nullsight.data import DataBatch, data_root
from nullsight.errors import InvalidInputError


def _batch(c: int = 3, n: int = 4) -> DataBatch:
    gen = torch.Generator().manual_seed(0)
    return DataBatch(
        name="t",
        images=torch.rand(n, c, 5, 6, generator=gen),
        labels=torch.arange(n),
        mean=(0.1, 0.2, 0.3)[:c],
        std=(0.5, 0.25, 2.0)[:c],
        classes=["a", "b"],
        split="test",
    )


@pytest.mark.parametrize("c", [1, 3])
def test_normalized_matches_manual(c):
    batch = _batch(c)
    expected = torch.stack([(batch.images[:, i] - batch.mean[i]) / batch.std[i] for i in range(c)], dim=1)
    torch.testing.assert_close(batch.normalized(), expected)


def test_len_shape_and_to():
    batch = _batch()
    moved = batch.to("cpu")
    assert len(batch) == 4 and batch.shape == (3, 5, 6)
    assert moved is not batch and moved.classes == batch.classes and moved.classes is not batch.classes
    assert torch.equal(moved.images, batch.images) and moved.labels.dtype == torch.int64


@pytest.mark.parametrize(
    "change, words",
    [
        ({"images": torch.zeros(2, 5, 6)}, "images"),
        ({"labels": torch.zeros(3, dtype=torch.int64)}, "labels"),
        ({"mean": (0.5,)}, "mean/std"),
        ({"std": (1.0, 0.0, 1.0)}, "positive"),
    ],
)
def test_validation(change, words):
    fields = {"name": "t", "images": torch.zeros(2, 3, 4, 4), "labels": torch.zeros(2, dtype=torch.int64)}
    fields.update(mean=(0.5,) * 3, std=(0.5,) * 3)
    fields.update(change)
    with pytest.raises(InvalidInputError, match=words):
        DataBatch(**fields)


def test_data_root(monkeypatch, tmp_path):
    monkeypatch.setenv("NULLSIGHT_DATA", str(tmp_path))
    assert data_root() == tmp_path
    monkeypatch.delenv("NULLSIGHT_DATA")
    assert data_root() == Path.home() / ".cache" / "nullsight" / "data"

"""How images reach a model's input size: bilinear resize or centred zero padding (seed 004's two pipelines)."""

import numpy as np
import pytest
import torch

from nullsight.data import load_data
from nullsight.data.base import DataBatch
from nullsight.data.transforms import fit_to, pad_to
from nullsight.errors import InvalidInputError


def _batch(h: int, w: int) -> DataBatch:
    images = torch.rand(2, 1, h, w, generator=torch.Generator().manual_seed(0)) + 0.1  # no zero pixel of its own
    return DataBatch(name="t", images=images, labels=torch.zeros(2, dtype=torch.int64), mean=(0.5,), std=(0.5,))


@pytest.mark.parametrize("h, w, th, tw", [(28, 28, 32, 32), (8, 8, 11, 12), (5, 7, 5, 7)])
def test_pad_keeps_every_native_pixel_centred(h, w, th, tw):
    batch = _batch(h, w)
    padded = pad_to(batch, (th, tw)).images
    top, left = (th - h) // 2, (tw - w) // 2
    assert padded.shape[-2:] == (th, tw)
    assert torch.equal(padded[..., top:top + h, left:left + w], batch.images)  # bit for bit: no interpolation
    assert padded.sum() == pytest.approx(batch.images.sum().item(), rel=1e-6)  # and zeros elsewhere


def test_pad_keeps_the_highest_frequency_resize_softens():
    """A Nyquist checkerboard survives zero padding at full amplitude; a 28 -> 32 bilinear resize damps it."""
    board = torch.from_numpy(np.indices((28, 28)).sum(0) % 2).float()[None, None]
    batch = DataBatch(name="t", images=board, labels=torch.zeros(1, dtype=torch.int64), mean=(0.5,), std=(0.5,))
    padded = fit_to(batch, (32, 32), "pad").images[0, 0, 2:30, 2:30]
    resized = fit_to(batch, (32, 32), "resize").images[0, 0]
    assert (padded[1:] - padded[:-1]).abs().mean() == 1.0
    assert (resized[1:] - resized[:-1]).abs().mean() < 0.8


def test_pad_refuses_to_shrink_and_unknown_fits():
    with pytest.raises(InvalidInputError, match="cannot zero-pad 28x28 images to the smaller 16x16"):
        pad_to(_batch(28, 28), (16, 16))
    with pytest.raises(InvalidInputError, match="fit must be one of resize, pad"):
        fit_to(_batch(8, 8), (8, 8), "crop")


def test_load_data_pads_named_sources():
    batch = load_data("digits", n=4, size=(12, 12), fit="pad")
    native = load_data("digits", n=4)
    assert batch.images.shape[-2:] == (12, 12) and torch.equal(batch.images[..., 2:10, 2:10], native.images)

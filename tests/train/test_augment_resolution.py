"""The `resolution` augmentation (seed 004's robust training): shapes, the clean fraction, determinism."""

import torch

from nullsight.train.augment import augment_named


def test_resolution_augment():
    augment = augment_named("resolution")
    x = torch.rand(400, 3, 32, 32)
    y = augment(x, torch.Generator().manual_seed(0))
    assert y.shape == x.shape
    unchanged = float(((y - x).flatten(1).abs().amax(1) == 0).float().mean())
    assert 0.1 < unchanged < 0.3  # p_clean = 0.2
    assert torch.equal(y, augment(x, torch.Generator().manual_seed(0)))
    const = torch.full((8, 3, 32, 32), 0.3)
    assert torch.allclose(augment(const, torch.Generator().manual_seed(1)), const)  # keeps constants: commutes with normalisation

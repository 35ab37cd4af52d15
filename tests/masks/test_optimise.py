import pytest
import torch
from torch import nn

from nullsight.errors import InvalidInputError
from nullsight.masks import MaskConfig, optimise_masks, optimise_masks_loop

FAST = MaskConfig(lam=0.05, lr=0.01, min_steps=30, max_steps=60, patience=5, tol=1e-3)


def test_masks_stay_in_unit_interval_and_are_sparser(tiny):
    model, norm, x, y = tiny
    fit = optimise_masks(model, norm, x, y, FAST)
    assert fit.masks.shape == x.shape
    assert fit.masks.min() >= 0 and fit.masks.max() <= 1
    assert fit.masks.mean() < 0.95  # the L1 term pulled entries down from the all-ones start
    assert all(FAST.min_steps <= s <= FAST.max_steps for s in fit.steps)
    assert len(fit.loss) == len(fit.keeps_target) == len(x)


def test_batched_and_per_image_paths_agree(tiny):
    model, norm, x, y = tiny
    batched = optimise_masks(model, norm, x, y, FAST)
    looped = optimise_masks_loop(model, norm, x, y, FAST)
    assert batched.steps == looped.steps
    assert torch.allclose(batched.masks, looped.masks, atol=1e-4)
    assert torch.allclose(torch.tensor(batched.loss), torch.tensor(looped.loss), rtol=1e-4, atol=1e-4)


def test_each_image_stops_on_its_own(tiny):
    model, norm, x, y = tiny
    config = MaskConfig(lam=0.05, min_steps=5, max_steps=200, patience=3, tol=0.05)
    fit = optimise_masks(model, norm, x, y, config)
    assert min(fit.steps) < config.max_steps


def test_exception_lambda_not_positive():
    with pytest.raises(InvalidInputError, match="lambda"):
        MaskConfig(lam=0.0)
    with pytest.raises(InvalidInputError, match="lambda"):
        MaskConfig(lam=-1.0)


def test_exception_not_a_classifier(tiny):
    _, norm, x, y = tiny
    with pytest.raises(InvalidInputError, match="classifier"):
        optimise_masks(nn.Conv2d(3, 3, 1), norm, x, y, FAST)


def test_batches_give_the_same_masks(tiny):
    """Masks are optimised ``batch`` images at a time: each mask's trajectory is its own, so the split changes nothing."""
    model, norm, x, y = tiny
    whole = optimise_masks(model, norm, x, y, FAST)
    split = optimise_masks(model, norm, x, y, MaskConfig(**{**FAST.__dict__, "batch": 4}))
    assert whole.steps == split.steps and torch.allclose(whole.masks, split.masks, atol=1e-5)

import numpy as np
import torch

from nullsight.masks.defence import MaskPipeline, accuracy, fit_class_masks
from nullsight.masks.kclass import kclass_trend


def test_class_masks_shape_range_and_pipeline(tiny):
    model, norm, x, y = tiny
    masks = fit_class_masks(model, norm, x, y, 4, lam=0.01, steps=10, per_step=2)
    assert masks.shape == (4, *x.shape[1:])
    assert masks.min() >= 0 and masks.max() <= 1
    logits = MaskPipeline(model, norm, masks)(norm.to_model(x))
    assert logits.shape == (len(x), 4)
    assert 0 <= accuracy(model, norm, x, y, masks) <= 1
    assert accuracy(model, norm, x, y) == 1.0  # y is the model's own prediction


def test_pipeline_with_all_ones_masks_is_the_model(tiny):
    model, norm, x, y = tiny
    ones = torch.ones(4, *x.shape[1:])
    with torch.no_grad():
        assert torch.allclose(MaskPipeline(model, norm, ones)(norm.to_model(x)), model(norm.to_model(x)), atol=1e-5)


def test_robust_masks_use_adversarial_batches(tiny):
    model, norm, x, y = tiny
    x_adv = (x + 0.05 * torch.randn_like(x)).clamp(0, 1)
    masks = fit_class_masks(model, norm, x, y, 4, lam=0.001, steps=6, per_step=2, adversarial=(x_adv, y, (y + 1) % 4))
    assert masks.shape == (4, *x.shape[1:])


def test_kclass_trend_has_one_point_per_k():
    rng = np.random.default_rng(0)
    t = rng.uniform(size=(60, 3))
    labels = np.repeat(np.arange(3), 20)
    e, a = np.sin(t @ rng.normal(size=(3, 10))), np.cos(t @ rng.normal(size=(3, 10)))
    points = kclass_trend("t", e, a, labels, [1, 2, 3, 4], draws=2, permutations=20).points
    assert [p.k for p in points] == [1, 2, 3]
    assert points[-1].draws == 1 and points[-1].pairs_mean == 60

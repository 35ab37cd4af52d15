"""The mask objective of seed 003 (Sec. 3.1): ``CE(f(norm(x_M)), y) + lambda * ||M||_1``, a sum over entries."""

import torch
import torch.nn.functional as F

from nullsight.masks.fourier import apply_mask
from nullsight.masks.optimise import per_image_loss


def test_loss_is_cross_entropy_plus_lambda_times_the_l1_sum(tiny):
    model, norm, x, y = tiny
    masks = torch.rand(x.shape, generator=torch.Generator().manual_seed(2))
    masks[0] = 0.25  # a known mask: ||M||_1 = 0.25 * C * H * W
    lam = 0.3
    loss, logits = per_image_loss(model, norm, x, masks, y, lam)
    with torch.no_grad():
        ce = F.cross_entropy(model(norm.to_model(apply_mask(x, masks))), y, reduction="none")
    l1 = masks.flatten(1).abs().sum(1)
    assert float(l1[0]) == 0.25 * x[0].numel()
    assert torch.allclose(loss, ce + lam * l1, rtol=1e-6, atol=1e-6)
    assert logits.shape == (x.shape[0], 4)
    # lambda enters linearly and the L1 term is a sum over all C * H * W entries
    loss2, _ = per_image_loss(model, norm, x, masks, y, 2 * lam)
    assert torch.allclose(loss2 - loss, lam * l1, rtol=1e-5)

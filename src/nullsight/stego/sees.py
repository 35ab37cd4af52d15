"""What the network sees (seed 001, Sec. 5, Fig. 10): the row-space projection ``x_perp`` of each input.

``W1 x_perp = W1 x`` exactly, so ``f(x_perp) = f(x)``: the check reported is the
largest logit difference, which is round-off.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from ..normalization import Normalization
from ..inference import fp64_copy, predict
from .projector import NullSpaceProjector


@dataclass
class SeenImages:
    """Originals and what the network sees (pixel space, not clipped), with the agreement check."""

    original: torch.Tensor
    seen: torch.Tensor
    predictions_agree: float
    max_logit_diff: float
    max_logit_diff_fp64: float
    null_dim: int


def what_the_network_sees(model: nn.Module, projector: NullSpaceProjector, norm: Normalization, pixels: torch.Tensor) -> SeenImages:
    """Project ``pixels`` (``(N, C, H, W)`` in [0, 1]) onto the row space of ``W1``; verify the predictions."""
    x = norm.to_model(pixels)
    perp = projector.row_part(x)
    logits_x, pred_x, _ = predict(model, x)
    logits_p, pred_p, _ = predict(model, perp)
    model64 = fp64_copy(model)
    with torch.no_grad():
        diff64 = float((model64(x.double()) - model64(projector.row_part(x.double()))).abs().max())
    return SeenImages(pixels, norm.to_pixels(perp), float((pred_x == pred_p).double().mean()),
                      float((logits_x - logits_p).abs().max()), diff64, projector.dim)

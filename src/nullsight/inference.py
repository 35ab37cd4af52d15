"""Batched classifier inference: logits, predicted class and softmax confidence."""

from __future__ import annotations

import torch
from torch import nn


@torch.no_grad()
def predict(model: nn.Module, x: torch.Tensor, batch_size: int = 4096) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``(logits, class, confidence)`` for ``x`` in chunks on the model's device, returned on ``x``'s device.

    The confidence is the softmax maximum, computed in fp64.
    """
    device = next(model.parameters()).device
    logits = torch.cat([model(x[i : i + batch_size].to(device)).to(x.device) for i in range(0, len(x), batch_size)])
    conf, pred = torch.softmax(logits.double(), dim=1).max(1)
    return logits, pred, conf


def fp64_copy(model: nn.Module) -> nn.Module:
    """A deep copy of ``model`` in float64, in eval mode: the reference every exactness claim is checked against."""
    import copy

    return copy.deepcopy(model).to(torch.float64).eval()

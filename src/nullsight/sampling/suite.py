"""Accuracy under each perturbation of the card's table, batched (seed 004, "First / Second evaluation")."""

from __future__ import annotations

from typing import Callable, Sequence

import torch
from torch import nn

from ..progress import Tracker
from .perturbations import Perturbation


def suite_accuracy(model: nn.Module, pixels: torch.Tensor, labels: torch.Tensor, perturbations: Sequence[Perturbation],
                   to_model: Callable[[torch.Tensor], torch.Tensor], batch_size: int = 256,
                   track: Tracker | None = None, clip: bool = False) -> dict[str, float]:
    """``{name: accuracy}`` of ``model`` on ``perturbation(pixels)`` for every perturbation, one pass over the batches.

    ``pixels`` ``(N, C, H, W)`` in [0, 1]; ``to_model`` normalises pixels for the model.
    ``batch_size=1`` is the one-image-at-a-time reference of the benchmark; ``clip`` clamps every
    perturbed image to [0, 1] (a storable image) instead of the card's unclipped ``x + delta``.
    """
    device = next(model.parameters(), torch.empty(0)).device
    correct = {p.name: 0 for p in perturbations}
    starts: Sequence[int] = range(0, len(pixels), batch_size)
    if track is not None:
        starts = track(starts, "perturbation suite", len(starts))  # type: ignore[assignment]
    model.eval()
    with torch.no_grad():
        for start in starts:
            x = pixels[start : start + batch_size].to(device)
            y = labels[start : start + batch_size].to(device)
            for p in perturbations:
                xp = p.apply(x).clamp(0.0, 1.0) if clip else p.apply(x)
                correct[p.name] += int((model(to_model(xp)).argmax(1) == y).sum())
    return {name: hits / max(len(pixels), 1) for name, hits in correct.items()}

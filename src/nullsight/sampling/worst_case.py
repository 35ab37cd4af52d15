"""The worst perturbation within ``ker(D)`` (seed 004: "an attacker can inject arbitrary signal into x_high").

Projected gradient ascent on the cross-entropy of the full-resolution model
``f``, every step projected onto ``ker(D)`` (channel by channel) and scaled
into ``||delta||_inf <= eps``: scaling keeps ``delta`` in the kernel, so the
downsampled image never changes (``D(x + delta) = D(x)``, measured), while ``f``
may change its decision.  Not a generic attack (those live in
:mod:`nullsight.attacks`): the constraint set is a subspace no attack library offers.
No [0, 1] box: ``x + delta`` may leave it (the fraction of such pixels is reported).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
from torch import nn
from torch.nn import functional as F

from ..progress import Tracker
from .kernels import SeparableKernel
from .operators import Downsampler


@dataclass
class WorstCaseRow:
    """Accuracy of ``f`` on ``x + delta``, ``delta in ker(D)``, ``||delta||_inf <= eps``, found in ``steps`` steps."""

    operator: str
    eps: float
    steps: int
    n: int
    clean_accuracy: float
    accuracy: float
    max_downsampled_change: float  # max |D(x + delta) - D(x)| (fp32): the kernel constraint, measured
    mean_linf: float
    mean_l2: float
    out_of_box_fraction: float     # pixels of x + delta outside [0, 1]


class KernelWorstCase:
    """Configured once with the operator's kernel and ``eps``, ``alpha``, ``steps``; called on batches."""

    def __init__(self, op: Downsampler, kernel: SeparableKernel, eps: float = 0.05, steps: int = 10, alpha: float | None = None) -> None:
        self.op, self.kernel, self.eps, self.steps = op, kernel, eps, steps
        self.alpha = 2.5 * eps / steps if alpha is None else alpha

    def __repr__(self) -> str:
        return f"KernelWorstCase(op={self.op.name}, eps={self.eps}, steps={self.steps}, alpha={self.alpha:g})"

    def _feasible(self, delta: torch.Tensor) -> torch.Tensor:
        delta = self.kernel.project(delta)
        linf = delta.flatten(1).abs().amax(1).clamp_min(1e-12)
        return delta * (self.eps / linf).clamp(max=1.0)[:, None, None, None]

    def perturb(self, model: nn.Module, x: torch.Tensor, y: torch.Tensor,
                to_model: Callable[[torch.Tensor], torch.Tensor]) -> torch.Tensor:
        """``delta`` ``(B, C, H, W)`` in ``ker(D)``: the first that misclassifies each image, else the last iterate."""
        delta = torch.zeros_like(x)
        best = delta.clone()
        for _ in range(self.steps):
            delta.requires_grad_(True)
            loss = F.cross_entropy(model(to_model(x + delta)), y)
            (grad,) = torch.autograd.grad(loss, delta)
            grad = self.kernel.project(grad)
            step = grad / grad.flatten(1).abs().amax(1).clamp_min(1e-12)[:, None, None, None]
            delta = self._feasible(delta.detach() + self.alpha * step)
            with torch.no_grad():
                wrong = model(to_model(x + delta)).argmax(1) != y
                done = best.flatten(1).abs().amax(1) > 0
                take = wrong & ~done
                best[take] = delta[take]
        keep = best.flatten(1).abs().amax(1) == 0
        best[keep] = delta[keep]
        return best.detach()


def worst_case_row(attack: KernelWorstCase, model: nn.Module, pixels: torch.Tensor, labels: torch.Tensor,
                   to_model: Callable[[torch.Tensor], torch.Tensor], batch_size: int = 256,
                   track: Tracker | None = None) -> WorstCaseRow:
    """Run ``attack`` over ``pixels`` in batches and summarise (accuracy, kernel residual, norms)."""
    device = next(model.parameters(), torch.empty(0)).device
    model.eval()
    clean = hits = 0
    residual = linf = l2 = outside = 0.0
    starts = range(0, len(pixels), batch_size)
    iterator = track(starts, f"worst case in ker({attack.op.name})", len(starts)) if track is not None else starts
    for start in iterator:
        x = pixels[start : start + batch_size].to(device)
        y = labels[start : start + batch_size].to(device)
        delta = attack.perturb(model, x, y, to_model)
        with torch.no_grad():
            clean += int((model(to_model(x)).argmax(1) == y).sum())
            hits += int((model(to_model(x + delta)).argmax(1) == y).sum())
            residual = max(residual, float((attack.op.down(x + delta) - attack.op.down(x)).abs().max()))
            linf += float(delta.flatten(1).abs().amax(1).sum())
            l2 += float(delta.flatten(1).norm(dim=1).sum())
            outside += float(((x + delta) < 0).sum() + ((x + delta) > 1).sum())
    n = len(pixels)
    return WorstCaseRow(attack.op.name, attack.eps, attack.steps, n, clean / n, hits / n, residual, linf / n, l2 / n,
                        outside / max(pixels.numel(), 1))

"""Batched optimisation of Fourier masks (seed 003, Sec. 3.1 and App. A.3).

Each image ``x_i`` gets a mask ``M_i`` in [0, 1] minimising
``CE(f(norm(x_{M_i})), y_i) + lambda * ||M_i||_1`` (Eq. 1 filter) with Adam (lr 0.01),
for at least ``min_steps`` steps and until its own loss stops improving.  All masks are one
tensor: the loss is the sum of per-image losses, so each mask sees only its own gradient, and
Adam being element-wise, the batch gives each mask the same trajectory as optimising it alone
(:func:`optimise_masks_loop` is that slow reference).  A stopped mask is frozen and leaves the batch: each step
runs the model on the masks still moving only, and the stopping rule is checked without a host sync.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from ..errors import InvalidInputError
from ..normalization import Normalization
from .fourier import apply_mask


@dataclass(frozen=True)
class MaskConfig:
    """Hyper-parameters of App. A.3: ``lam`` (lambda of the L1 term; 0.5 for 32x32 images, 0.01 for Imagenette,
    0.01 class-level, 0.001 robust), Adam ``lr``, ``min_steps`` (500), ``max_steps``, and the stopping rule: a mask
    stops once its loss improved by less than ``tol`` (relative) over the last ``patience`` steps.  ``batch``: images
    optimised together (each mask's trajectory is its own, so only memory and speed depend on it)."""

    lam: float = 0.5
    lr: float = 0.01
    min_steps: int = 500
    max_steps: int = 1000
    patience: int = 50
    tol: float = 1e-3
    batch: int = 512

    def __post_init__(self) -> None:
        if not self.lam > 0:
            raise InvalidInputError(f"lambda must be positive, got {self.lam}")
        if not self.lr > 0:
            raise InvalidInputError(f"the learning rate must be positive, got {self.lr}")
        if self.min_steps < 1 or self.max_steps < self.min_steps:
            raise InvalidInputError(f"need 1 <= min_steps <= max_steps, got {self.min_steps}, {self.max_steps}")
        if self.batch < 1 or self.patience < 1:
            raise InvalidInputError(f"need batch >= 1 and patience >= 1, got {self.batch}, {self.patience}")


@dataclass
class MaskFit:
    """Masks (B, C, H, W) in [0, 1], with how each optimisation ended."""

    masks: torch.Tensor = field(repr=False)
    steps: list[int]
    loss: list[float]
    keeps_target: list[bool]  # argmax f(x_M) == target at the end
    at_cap: list[bool] = field(default_factory=list)  # ran max_steps without meeting the stopping rule

    @property
    def keep_rate(self) -> float:
        return sum(self.keeps_target) / max(len(self.keeps_target), 1)


def check_classifier(model: nn.Module, x: torch.Tensor, norm: Normalization) -> int:
    """Number of classes; raises if ``model`` does not map ``x`` to (B, classes) logits."""
    with torch.no_grad():
        out = model(norm.to_model(x[:1]))
    if not isinstance(out, torch.Tensor) or out.ndim != 2:
        raise InvalidInputError("masks need a classifier (a model returning (B, classes) logits)")
    return int(out.shape[1])


def per_image_loss(model: nn.Module, norm: Normalization, x: torch.Tensor, masks: torch.Tensor,
                   targets: torch.Tensor, lam: float) -> tuple[torch.Tensor, torch.Tensor]:
    """``(loss_i, logits)``: CE of the masked images plus ``lam * ||M_i||_1``, one loss per image."""
    logits = model(norm.to_model(apply_mask(x, masks)))
    ce = F.cross_entropy(logits, targets, reduction="none")
    return ce + lam * masks.flatten(1).abs().sum(1), logits


def optimise_masks(model: nn.Module, norm: Normalization, x: torch.Tensor, targets: torch.Tensor,
                   config: MaskConfig = MaskConfig(), progress=None) -> MaskFit:
    """Masks keeping ``model``'s prediction of ``x`` (B, C, H, W pixels) at ``targets`` (B,), all optimised at once.

    Essential masks: ``targets`` = true labels of clean images; adversarial masks: adversarial images with the
    adversarial labels (Sec. 3.1).  The model is frozen (eval mode, no parameter gradients).
    """
    if x.ndim != 4 or targets.shape != (x.shape[0],):
        raise InvalidInputError(f"need images (B, C, H, W) and targets (B,), got {tuple(x.shape)}, {tuple(targets.shape)}")
    check_classifier(model, x, norm)
    if x.shape[0] > config.batch:
        return _concat([optimise_masks(model, norm, x[i : i + config.batch], targets[i : i + config.batch], config,
                                       progress) for i in range(0, x.shape[0], config.batch)])
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    b = x.shape[0]
    masks = torch.ones_like(x, requires_grad=True)
    optimiser = torch.optim.Adam([masks], lr=config.lr)
    best = torch.full((b,), float("inf"), device=x.device)
    since = torch.zeros(b, dtype=torch.long, device=x.device)
    active = torch.ones(b, dtype=torch.bool, device=x.device)
    steps = torch.zeros(b, dtype=torch.long, device=x.device)
    frozen = masks.detach().clone()
    rows = torch.arange(b, device=x.device)  # a superset of the masks still moving, refreshed every `patience` steps
    xs, ts = x, targets
    iterator = range(config.max_steps) if progress is None else progress(range(config.max_steps), "masks", config.max_steps)
    for step in iterator:
        optimiser.zero_grad(set_to_none=False)
        loss, _ = per_image_loss(model, norm, xs, masks if len(rows) == b else masks[rows], ts, config.lam)
        loss.sum().backward()
        optimiser.step()
        with torch.no_grad():
            masks.clamp_(0.0, 1.0)
            if step >= config.min_steps:  # Adam moves zero-gradient entries on its momentum: put stopped masks back
                masks.copy_(torch.where(active[:, None, None, None], masks, frozen))
            moving = active[rows]
            steps[rows] += moving
            improved = moving & (loss.detach() < best[rows] * (1 - config.tol))
            best[rows] = torch.where(improved, loss.detach(), best[rows])
            since[rows] = torch.where(improved, 0, since[rows] + moving)
            if step + 1 >= config.min_steps:
                stop = active & (since >= config.patience)
                frozen = torch.where(stop[:, None, None, None], masks.detach(), frozen)
                active &= ~stop
        if step + 1 >= config.min_steps and (step + 1 - config.min_steps) % config.patience == 0:
            rows = torch.nonzero(active).flatten()  # the one host sync, every `patience` steps
            if len(rows) == 0:
                break
            xs, ts = x[rows], targets[rows]
    with torch.no_grad():
        final, logits = per_image_loss(model, norm, x, masks, targets, config.lam)
    at_cap = (active & (steps >= config.max_steps)).tolist()
    return MaskFit(masks.detach(), steps.tolist(), final.tolist(), (logits.argmax(1) == targets).tolist(), at_cap)


def optimise_masks_loop(model: nn.Module, norm: Normalization, x: torch.Tensor, targets: torch.Tensor,
                        config: MaskConfig = MaskConfig()) -> MaskFit:
    """The slow reference: one image at a time through :func:`optimise_masks` (tests, benchmark)."""
    return _concat([optimise_masks(model, norm, x[i : i + 1], targets[i : i + 1], config) for i in range(x.shape[0])])


def _concat(fits: list[MaskFit]) -> MaskFit:
    return MaskFit(torch.cat([f.masks for f in fits]), [s for f in fits for s in f.steps],
                   [v for f in fits for v in f.loss], [k for f in fits for k in f.keeps_target],
                   [c for f in fits for c in f.at_cap])

"""Class-level essential masks (seed 003, Sec. 4.7) and robust essential masks (Sec. 4.8, Table 4).

One mask per class, all classes optimised at once as one (K, C, H, W) tensor: every step draws ``per_step``
images of each class, filters each with its class's mask and minimises the mean cross-entropy per class plus
``lam * ||M_k||_1`` (App. A.3: lambda 0.01).  Robust masks (lambda 0.001) alternate that clean step with a step
on adversarial images: the mask of the class an image was pushed *into* must bring back its true class.
At test time :class:`MaskPipeline` predicts, picks the predicted class's mask and predicts again.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ..errors import InvalidInputError
from ..normalization import Normalization
from .fourier import apply_mask


def _by_class(labels: torch.Tensor, n_classes: int) -> list[torch.Tensor]:
    return [torch.nonzero(labels == k).flatten() for k in range(n_classes)]


def _draw(groups: list[torch.Tensor], per_step: int, generator: torch.Generator) -> torch.Tensor:
    picks = [g[torch.randint(len(g), (per_step,), generator=generator)] for g in groups if len(g)]
    return torch.cat(picks) if picks else torch.empty(0, dtype=torch.long)


def _class_loss(model: nn.Module, norm: Normalization, masks: torch.Tensor, x: torch.Tensor, mask_of: torch.Tensor,
                targets: torch.Tensor, lam: float) -> torch.Tensor:
    logits = model(norm.to_model(apply_mask(x, masks[mask_of])))
    ce = F.cross_entropy(logits, targets, reduction="none")
    k = masks.shape[0]
    per_class = torch.zeros(k, dtype=ce.dtype, device=ce.device).index_add(0, mask_of, ce)
    counts = torch.bincount(mask_of, minlength=k).clamp_min(1)
    used = torch.bincount(mask_of, minlength=k) > 0
    return (per_class / counts).sum() + lam * masks[used].abs().sum()


def fit_class_masks(model: nn.Module, norm: Normalization, x: torch.Tensor, labels: torch.Tensor, n_classes: int,
                    lam: float = 0.01, steps: int = 500, per_step: int = 8, lr: float = 0.01, seed: int = 0,
                    adversarial: tuple[torch.Tensor, torch.Tensor, torch.Tensor] | None = None,
                    progress=None) -> torch.Tensor:
    """Class masks (n_classes, C, H, W) in [0, 1] from images ``x`` (N, C, H, W) with ``labels`` (N,).

    ``adversarial``: ``(x_adv, true_labels, adversarial_labels)``; when given, odd steps revert adversarial images
    (robust essential masks, Sec. 4.8).
    """
    if not lam > 0:
        raise InvalidInputError(f"lambda must be positive, got {lam}")
    for p in model.parameters():
        p.requires_grad_(False)
    model.eval()
    generator = torch.Generator().manual_seed(seed)
    masks = torch.ones((n_classes, *x.shape[1:]), dtype=x.dtype, device=x.device, requires_grad=True)
    optimiser = torch.optim.Adam([masks], lr=lr)
    clean_groups = _by_class(labels.cpu(), n_classes)
    adv_groups = _by_class(adversarial[2].cpu(), n_classes) if adversarial is not None else None
    iterator = range(steps) if progress is None else progress(range(steps), "class masks", steps)
    for step in iterator:
        optimiser.zero_grad()
        if adv_groups is not None and step % 2 == 1:
            pick = _draw(adv_groups, per_step, generator).to(x.device)
            x_adv, true, adv = adversarial
            loss = _class_loss(model, norm, masks, x_adv[pick], adv[pick], true[pick], lam)
        else:
            pick = _draw(clean_groups, per_step, generator).to(x.device)
            loss = _class_loss(model, norm, masks, x[pick], labels[pick], labels[pick], lam)
        loss.backward()
        optimiser.step()
        with torch.no_grad():
            masks.clamp_(0.0, 1.0)
    return masks.detach()


class MaskPipeline(nn.Module):
    """Predict, filter with the predicted class's mask, predict again (Sec. 4.8).

    Takes and returns what the wrapped model does (normalised inputs, logits), so that an attack can run through
    it: the adaptive attacker.  The mask choice is an argmax (no gradient); the filter and the second pass are
    differentiable.
    """

    def __init__(self, model: nn.Module, norm: Normalization, masks: torch.Tensor) -> None:
        super().__init__()
        self.model, self.norm = model, norm
        self.register_buffer("masks", masks, persistent=False)
        self.eval()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            choice = self.model(x).argmax(1)
        pixels = self.norm.to_pixels(x)
        return self.model(self.norm.to_model(apply_mask(pixels, self.masks[choice])))


@torch.no_grad()
def accuracy(model: nn.Module, norm: Normalization, x: torch.Tensor, labels: torch.Tensor,
             masks: torch.Tensor | None = None, mask_of: torch.Tensor | None = None, batch_size: int = 500) -> float:
    """Accuracy on pixels ``x``: plain (``masks`` None), with given per-image masks (``mask_of``), or the pipeline."""
    hits = 0
    for i in range(0, len(x), batch_size):
        xb = x[i : i + batch_size]
        if masks is None:
            logits = model(norm.to_model(xb))
        elif mask_of is not None:
            logits = model(norm.to_model(apply_mask(xb, masks[mask_of[i : i + batch_size]])))
        else:
            logits = MaskPipeline(model, norm, masks)(norm.to_model(xb))
        hits += int((logits.argmax(1) == labels[i : i + batch_size]).sum())
    return hits / max(len(x), 1)

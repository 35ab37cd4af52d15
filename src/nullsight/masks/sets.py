"""Essential and adversarial frequency masks of one batch of images (seed 003, Sec. 3.1, 4.3-4.4, App. A.3).

Essential masks (M_E) are fitted on the correctly classified clean images with their labels; adversarial masks
(M_A) on the images an attack made adversarial, with the adversarial class as target.  Attacks come from the one
adapter, :func:`nullsight.attacks.run_attack` (foolbox); an attack that fails everywhere gives an empty set.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import nn

from ..attacks import MINIMAL_NORM, AttackSpec, run_attack
from ..errors import InvalidInputError
from ..inference import predict
from ..normalization import Normalization
from .optimise import MaskConfig, MaskFit, optimise_masks


@dataclass
class MaskSet:
    """Masks fitted on some of the images: which ones (indices into the batch), their labels and targets."""

    kind: str  # "essential" | "adversarial"
    attack: AttackSpec | None
    indices: list[int]
    labels: list[int]
    targets: list[int]
    fit: MaskFit | None
    images: torch.Tensor = field(repr=False)  # the images the masks were fitted on (clean or adversarial)
    success_rate: float = 1.0  # of the attack on the correctly classified images


def correct_indices(model: nn.Module, norm: Normalization, x: torch.Tensor, labels: torch.Tensor) -> list[int]:
    """Indices of the images ``model`` classifies correctly; raises where there are none."""
    _, pred, _ = predict(model, norm.to_model(x))
    idx = torch.nonzero(pred == labels).flatten().tolist()
    if not idx:
        raise InvalidInputError("the model classifies none of the images correctly: no essential masks")
    return idx


def essential_masks(model: nn.Module, norm: Normalization, x: torch.Tensor, labels: torch.Tensor,
                    config: MaskConfig, progress=None, correct: list[int] | None = None) -> MaskSet:
    """M_E for the images ``model`` classifies correctly (``correct``: their indices into ``x``, when known)."""
    idx = torch.tensor(correct_indices(model, norm, x, labels) if correct is None else correct, dtype=torch.long,
                       device=x.device)
    fit = optimise_masks(model, norm, x[idx], labels[idx], config, progress)
    return MaskSet("essential", None, idx.tolist(), labels[idx].tolist(), labels[idx].tolist(), fit, x[idx])


def adversarial_masks(model: nn.Module, norm: Normalization, x: torch.Tensor, labels: torch.Tensor,
                      correct: list[int], attack: AttackSpec, config: MaskConfig, attack_steps: int | None = None,
                      seed: int = 0, progress=None) -> MaskSet:
    """M_A for the correctly classified images (``correct``) that ``attack`` turns adversarial."""
    idx = torch.tensor(correct, dtype=torch.long)
    steps = attack_steps or (50 if attack.name in MINIMAL_NORM else 10)
    result = run_attack(model, x[idx], norm.mean, norm.std, attack.name, attack.eps, steps, seed, labels[idx])
    ok = torch.tensor(result.success, dtype=torch.bool)
    _, adv_pred, _ = predict(model, norm.to_model(result.adversarial))
    ok &= adv_pred.cpu() != labels[idx].cpu()
    rate = float(ok.float().mean()) if len(ok) else 0.0
    keep = idx[ok]
    if len(keep) == 0:
        return MaskSet("adversarial", attack, [], [], [], None, x[:0], rate)
    adv = result.adversarial[ok].to(x.device)
    targets = adv_pred[ok].to(x.device)
    fit = optimise_masks(model, norm, adv, targets, config, progress)
    return MaskSet("adversarial", attack, keep.tolist(), labels[keep].tolist(), targets.tolist(), fit, adv, rate)

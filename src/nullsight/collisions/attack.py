"""Eq. (6) of seed 000: ``x_hat = x' + psi_w(x', phi)`` with ``x' = Omega(x)`` an adversarial example.

Attacks are foolbox's (not hand-written), chosen by name from :data:`ATTACKS`.
The model is wrapped in ``foolbox.PyTorchModel`` with bounds ``(0, 1)`` and the
data set's normalisation as foolbox ``preprocessing``, so the attack works in
the same pixel space as the collision; labels are the model's own top-1 on
``x`` (an untargeted attack moves away from it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import torch
from torch import nn

from ..errors import InvalidInputError
from ..normalization import Normalization
from ..registry import Registry

AttackFactory = Callable[[float, int], object]
ATTACKS: Registry[AttackFactory] = Registry("attack", InvalidInputError)


def _fb():
    try:
        import foolbox
    except ImportError:
        raise InvalidInputError("attacks need foolbox: pip install 'nullsight[attacks]'") from None
    return foolbox


@ATTACKS.register("pgd")
def _pgd(eps: float, steps: int) -> object:
    return _fb().attacks.LinfPGD(steps=steps, rel_stepsize=2.5 / steps)


@ATTACKS.register("fgsm")
def _fgsm(eps: float, steps: int) -> object:
    return _fb().attacks.FGSM()


@ATTACKS.register("bim")
def _bim(eps: float, steps: int) -> object:
    return _fb().attacks.LinfBasicIterativeAttack(steps=steps)


@ATTACKS.register("deepfool")
def _deepfool(eps: float, steps: int) -> object:
    return _fb().attacks.LinfDeepFoolAttack(steps=steps)


@ATTACKS.register("fmn")
def _fmn(eps: float, steps: int) -> object:
    return _fb().attacks.LInfFMNAttack(steps=steps)


@dataclass
class AttackResult:
    """``x'`` and how the attack did."""

    name: str
    eps: float
    steps: int
    adversarial: torch.Tensor  # (B, C, H, W) in [0, 1]
    success: list[bool]
    labels: list[int]
    linf: list[float]

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "eps": self.eps, "steps": self.steps, "success": self.success,
                "labels": self.labels, "linf": self.linf, "library": "foolbox"}


def run_attack(model: nn.Module, x: torch.Tensor, mean: Sequence[float], std: Sequence[float], name: str = "pgd",
               eps: float = 8 / 255, steps: int = 10, seed: int = 0) -> AttackResult:
    """``x' = Omega(x)``: foolbox attack ``name`` on ``model`` (which takes normalised input), in pixel space."""
    factory = ATTACKS.get(name)
    fb = _fb()
    fmodel = fb.PyTorchModel(model, bounds=(0.0, 1.0),
                             preprocessing={"mean": list(mean), "std": list(std), "axis": -3})
    torch.manual_seed(seed)
    x32 = x.to(torch.float32)
    with torch.no_grad():
        logits = model(Normalization.of(mean, std).to_model(x32))
    if not isinstance(logits, torch.Tensor) or logits.ndim != 2:
        raise InvalidInputError("--attack works on classifiers only (the model does not return (B, classes) logits)")
    labels = logits.argmax(dim=1)
    _, clipped, success = factory(eps, steps)(fmodel, x32, labels, epsilons=eps)
    linf = (clipped - x32).flatten(1).abs().amax(dim=1)
    return AttackResult(name, eps, steps, clipped.detach(), success.tolist(), labels.tolist(), linf.tolist())

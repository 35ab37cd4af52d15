"""One adapter over an attack library (foolbox), shared by collisions (seed 000, Eq. 6), feature geometry (002) and
Fourier masks (003).

Attacks are foolbox's, never hand-written, chosen by name from :data:`ATTACKS`.
The model (which takes *normalised* input) is wrapped in ``foolbox.PyTorchModel``
with bounds ``(0, 1)`` and the data set's normalisation as foolbox
``preprocessing``, so every attack works in pixel space.  Untargeted: the
labels default to the model's own top-1 on ``x``.

Every command names attacks in one grammar, ``name[:eps]`` separated by commas
(``pgd:8/255,fmn,deepfool``), read by :func:`parse_attacks`; the budget is in
pixel units, as a number or a fraction.

>>> sorted(ATTACKS.names())
['bim', 'deepfool', 'fgsm', 'fmn', 'pgd']
>>> parse_attacks("pgd:8/255,fmn")
[AttackSpec(name='pgd', eps=0.03137254901960784), AttackSpec(name='fmn', eps=None)]
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Callable, Sequence

import torch
from torch import nn

from .errors import InvalidInputError
from .normalization import Normalization
from .registry import Registry

AttackFactory = Callable[[int], object]
ATTACKS: Registry[AttackFactory] = Registry("attack", InvalidInputError)
MINIMAL_NORM = frozenset({"deepfool", "fmn"})
"""Attacks that look for the smallest adversarial change; ``eps=None`` leaves them unbounded."""


def _fb():
    try:
        import foolbox
    except ImportError:
        raise InvalidInputError("attacks need foolbox: pip install 'nullsight[attacks]'") from None
    return foolbox


@ATTACKS.register("pgd")
def _pgd(steps: int) -> object:
    return _fb().attacks.LinfPGD(steps=steps, rel_stepsize=2.5 / steps)


@ATTACKS.register("fgsm")
def _fgsm(steps: int) -> object:
    return _fb().attacks.FGSM()


@ATTACKS.register("bim")
def _bim(steps: int) -> object:
    return _fb().attacks.LinfBasicIterativeAttack(steps=steps)


@ATTACKS.register("deepfool")
def _deepfool(steps: int) -> object:
    return _fb().attacks.LinfDeepFoolAttack(steps=steps)


@ATTACKS.register("fmn")
def _fmn(steps: int) -> object:
    return _fb().attacks.LInfFMNAttack(steps=steps)


@dataclass(frozen=True)
class AttackSpec:
    """An attack by name with its L-infinity budget in pixel units (None: a minimal-norm attack left unbounded)."""

    name: str
    eps: float | None = None

    @property
    def label(self) -> str:
        """``pgd@8/255``, ``fmn``: the budget in 255ths where it is a round number of them."""
        if self.eps is None:
            return self.name
        units = self.eps * 255
        if abs(units - round(units)) < 1e-6 and round(units) > 0:
            return f"{self.name}@{round(units)}/255"
        return f"{self.name}@{Fraction(units).limit_denominator(1000)}/255" if units >= 0.1 else f"{self.name}@{self.eps:g}"

    @classmethod
    def parse(cls, text: str, default_eps: float = 8 / 255) -> "AttackSpec":
        """``fmn``, ``deepfool``, ``pgd:8/255`` or ``pgd:0.03``; a bounded attack without a budget gets
        ``default_eps``, a minimal-norm one (:data:`MINIMAL_NORM`) none."""
        name, _, budget = text.strip().partition(":")
        ATTACKS.get(name)
        if not budget:
            return cls(name, None if name in MINIMAL_NORM else default_eps)
        try:
            num, _, den = budget.partition("/")
            eps = float(num) / float(den) if den else float(num)
        except (ValueError, ZeroDivisionError):
            raise InvalidInputError(f"attack budget must be a number or a fraction like 8/255, got {text!r}") from None
        if not (math.isfinite(eps) and 0 < eps <= 1):
            raise InvalidInputError(f"attack budget must be in (0, 1] (pixel units), got {text!r}")
        return cls(name, eps)


    @classmethod
    def of(cls, attack: "str | AttackSpec", default_eps: float = 8 / 255) -> "AttackSpec":
        """An :class:`AttackSpec` as it is, or one parsed from ``name[:eps]``."""
        return attack if isinstance(attack, AttackSpec) else cls.parse(attack, default_eps)


def parse_attacks(text: str, default_eps: float = 8 / 255) -> list[AttackSpec]:
    """``"pgd:8/255,fmn,deepfool"`` -> one :class:`AttackSpec` each, checked (a name, a budget in (0, 1])."""
    specs = [AttackSpec.parse(part, default_eps) for part in text.split(",") if part.strip()]
    if not specs:
        raise InvalidInputError(f"name at least one attack (name[:eps], e.g. pgd:8/255,fmn,deepfool), got {text!r}")
    return specs


@dataclass
class AttackResult:
    """``x' = Omega(x)`` and how the attack did, per image."""

    name: str
    eps: float | None
    steps: int
    adversarial: torch.Tensor = field(repr=False)  # (B, C, H, W) in [0, 1]
    success: list[bool]
    labels: list[int]
    linf: list[float]

    @property
    def success_rate(self) -> float:
        return sum(self.success) / max(len(self.success), 1)

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "eps": self.eps, "steps": self.steps, "success": self.success,
                "success_rate": self.success_rate, "labels": self.labels, "linf": self.linf, "library": "foolbox"}


def run_attack(model: nn.Module, x: torch.Tensor, mean: Sequence[float], std: Sequence[float], name: str = "pgd",
               eps: float | None = 8 / 255, steps: int = 10, seed: int = 0, labels: torch.Tensor | None = None,
               batch_size: int = 256) -> AttackResult:
    """Attack ``name`` on ``model`` in pixel space ``[0, 1]``, in chunks of ``batch_size``.

    ``x``: (B, C, H, W) pixels; ``labels``: (B,) classes to move away from (default: the model's top-1).
    ``eps``: the L-infinity budget; ``None`` only for the minimal-norm attacks (:data:`MINIMAL_NORM`).
    """
    factory = ATTACKS.get(name)
    if eps is None and name not in MINIMAL_NORM:
        raise InvalidInputError(f"attack {name!r} needs an eps budget")
    if eps is not None and not (0 < eps <= 1):
        raise InvalidInputError(f"eps must be in (0, 1] (pixel units), got {eps}")
    if steps < 1:
        raise InvalidInputError(f"steps must be at least 1, got {steps}")
    fb = _fb()
    device = next(model.parameters(), torch.empty(0)).device
    fmodel = fb.PyTorchModel(model, bounds=(0.0, 1.0), device=device,
                             preprocessing={"mean": list(mean), "std": list(std), "axis": -3})
    torch.manual_seed(seed)
    x32 = x.to(device=device, dtype=torch.float32)
    if labels is None:
        with torch.no_grad():
            logits = model(Normalization.of(mean, std).to_model(x32[:1]))
        if not isinstance(logits, torch.Tensor) or logits.ndim != 2:
            raise InvalidInputError("attacks work on classifiers only (the model does not return (B, classes) logits)")
        with torch.no_grad():
            labels = torch.cat([model(Normalization.of(mean, std).to_model(x32[i:i + batch_size])).argmax(1)
                                for i in range(0, len(x32), batch_size)])
    labels = labels.to(device)
    attack = factory(steps)
    adversarial, success = [], []
    for i in range(0, len(x32), batch_size):
        _, clipped, ok = attack(fmodel, x32[i:i + batch_size], labels[i:i + batch_size], epsilons=eps)
        adversarial.append(clipped.detach())
        success.append(ok)
    adv = torch.cat(adversarial)
    linf = (adv - x32).flatten(1).abs().amax(dim=1)
    return AttackResult(name, eps, steps, adv, torch.cat(success).tolist(), labels.tolist(), linf.tolist())

"""The card's six perturbations (seed 004, "First evaluation"), by name, on ``(B, C, H, W)`` pixels in [0, 1].

Resize and decimation go down and back up to the input size (what a
classifier at that resolution reads); the checkerboard is added in pixel units
before normalisation and not clipped (the card's ``x + delta``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch

from ..errors import InvalidInputError
from ..registry import Registry
from .checkerboard import checkerboard
from .operators import DOWNSAMPLERS


@dataclass(frozen=True)
class Perturbation:
    name: str
    label: str                                      # the card's row label
    apply: Callable[[torch.Tensor], torch.Tensor]
    paper_base: float | None = None                 # the card's CIFAR-10 accuracy (%), base model
    paper_robust: float | None = None               # ... robust model


PERTURBATIONS: Registry[Perturbation] = Registry("perturbation", InvalidInputError)
CARD_SUITE = ("clean", "resize-0.5", "resize-0.25", "decimate-2", "checkerboard-0.03", "checkerboard-0.05")
ANTIALIASED = ("resize-aa-0.5", "resize-aa-0.25")
"""The card's resize rows with the other reading of "bilinear" (antialiased): reported beside the plain ones."""


def _add_checkerboard(eps: float) -> Callable[[torch.Tensor], torch.Tensor]:
    def apply(x: torch.Tensor) -> torch.Tensor:
        return x + checkerboard(tuple(x.shape[-2:]), eps, x.dtype, x.device)

    return apply


def check_eps(eps: float) -> float:
    """``eps`` in [0, 1] (pixel units), else one clear line."""
    if not 0.0 <= eps <= 1.0:
        raise InvalidInputError(f"eps must lie in [0, 1] (pixel units), got {eps}")
    return eps


def checkerboard_perturbation(eps: float) -> Perturbation:
    """The checkerboard at any ``eps`` in [0, 1]."""
    check_eps(eps)
    return Perturbation(f"checkerboard-{eps:g}", f"Checkerboard eps = {eps:g}", _add_checkerboard(eps))


for _p in (
    Perturbation("clean", "No Perturbation", lambda x: x, 91.95, 89.42),
    Perturbation("resize-0.5", "Resize x0.5 (plain bilinear)", DOWNSAMPLERS.get("resize-0.5").roundtrip, 59.83, 85.37),
    Perturbation("resize-0.25", "Resize x0.25 (plain bilinear)", DOWNSAMPLERS.get("resize-0.25").roundtrip, 24.82, 71.80),
    Perturbation("resize-aa-0.5", "Resize x0.5 (antialiased bilinear)", DOWNSAMPLERS.get("resize-aa-0.5").roundtrip,
                 59.83, 85.37),
    Perturbation("resize-aa-0.25", "Resize x0.25 (antialiased bilinear)", DOWNSAMPLERS.get("resize-aa-0.25").roundtrip,
                 24.82, 71.80),
    Perturbation("decimate-2", "Decimate x2", DOWNSAMPLERS.get("decimate-2").roundtrip, 30.03, 85.02),
    Perturbation("checkerboard-0.03", "Checkerboard eps = 0.03", _add_checkerboard(0.03), 75.47, 89.43),
    Perturbation("checkerboard-0.05", "Checkerboard eps = 0.05", _add_checkerboard(0.05), 44.99, 89.39),
    Perturbation("blur-decimate-2", "Blur-decimate x2", DOWNSAMPLERS.get("blur-decimate-2").roundtrip),
    Perturbation("blurpool-2", "BlurPool x2", DOWNSAMPLERS.get("blurpool-2").roundtrip),
):
    PERTURBATIONS.register(_p.name)(_p)


def resolve(name: str) -> Perturbation:
    """A registered perturbation, or ``checkerboard-EPS`` at any eps in [0, 1]."""
    if name.startswith("checkerboard-") and name not in PERTURBATIONS:
        try:
            eps = float(name.split("-", 1)[1])
        except ValueError:
            return PERTURBATIONS.get(name)
        return checkerboard_perturbation(eps)
    return PERTURBATIONS.get(name)

"""The paper's figures a training run is compared with, provided by the capabilities whose seed trains that model.

A capability registers a provider ``(arch, data) -> figures or None`` from a module it lists under ``extends``
(seed 001's MLP: :mod:`nullsight.stego.training_reference`); training imports no capability.
"""

from __future__ import annotations

from typing import Callable

from ..errors import InvalidInputError
from ..registry import Registry

Provider = Callable[[str, str], "dict[str, float | int | str] | None"]
TRAINING_REFERENCES: Registry[Provider] = Registry("training reference", InvalidInputError)


def reference_for(arch: str, data: str) -> dict[str, float | int | str] | None:
    """The first registered provider's figures for ``arch`` trained on ``data``, or ``None``."""
    from ..capabilities import import_all

    import_all("extends")
    for name in TRAINING_REFERENCES.names():
        figures = TRAINING_REFERENCES.get(name)(arch, data)
        if figures is not None:
            return figures
    return None

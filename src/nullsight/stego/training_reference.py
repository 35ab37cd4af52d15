"""Seed 001's training figures (the rescaled-data MLP), offered to ``nullsight train``'s results."""

from __future__ import annotations

from ..train.references import TRAINING_REFERENCES
from .paper import PAPER_TRAINING


@TRAINING_REFERENCES.register("seed-001-mlp")
def seed_001_mlp(arch: str, data: str) -> dict[str, float | int | str] | None:
    """The paper's accuracy for seed 001's MLP (``nullsight:mlp...``) on ``data``; other models get none."""
    return PAPER_TRAINING.get(data) if arch.startswith("nullsight:mlp") else None

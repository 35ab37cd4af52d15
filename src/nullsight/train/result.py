"""The typed result of ``nullsight train`` (``kind: "train"``); version-0 files (before typed results) load unchanged."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import torch

from ..artifacts import Artifact
from ..results import Result, register_result
from .loop import TrainConfig, TrainResult

CURVE_COLUMNS = ["epoch", "loss", "train_accuracy"]


@dataclass
class Accuracy:
    """Accuracy, and mean softmax confidence on the correctly predicted inputs (seed 001's two figures)."""

    accuracy: float
    mean_confidence_correct: float
    n: int


@dataclass
class InputNormalization:
    mean: list[float]
    std: list[float]


@dataclass
class TrainHistory:
    """What a run produced: the data size seen, and the per-epoch curves beside the JSON (``(epochs, 3)`` fp64,
    columns :data:`CURVE_COLUMNS`), with the last epoch's figures in the JSON itself."""

    n_train: int
    world_size: int
    epochs: int
    final_loss: float | None
    final_train_accuracy: float | None
    curves: Artifact | None
    columns: list[str] = field(default_factory=lambda: list(CURVE_COLUMNS))

    @classmethod
    def of(cls, result: TrainResult) -> TrainHistory:
        rows = [[float(epoch.get(c, float("nan"))) for c in CURVE_COLUMNS] for epoch in result.history]
        last = result.history[-1] if result.history else {}
        return cls(result.n_train, result.world_size, len(rows), last.get("loss"), last.get("train_accuracy"),
                   Artifact.of(torch.tensor(rows, dtype=torch.float64).reshape(-1, len(CURVE_COLUMNS))))


@register_result
@dataclass
class TrainRun(Result):
    """A trained, evaluated, saved classifier.

    ``metrics`` has ``train_original`` and ``test_original``, and ``*_rescaled``
    (inputs scaled by ``rescale_factor_evaluated``) where the run trained with rescaled copies.
    """

    KIND: ClassVar[str] = "train"
    PATH_FIELDS: ClassVar[tuple[str, ...]] = ("checkpoint",)
    READS_VERSIONS: ClassVar[tuple[int, ...]] = (0,)
    arch: str
    checkpoint: str
    normalization: InputNormalization
    config: TrainConfig
    rescale_factor_evaluated: float
    metrics: dict[str, Accuracy]
    history: TrainHistory
    paper: dict[str, float | int | str] | None = None
    fit: str = "resize"  # how images reached the model's input size: resize | pad (zeros around)

    def headline(self) -> str:
        test = self.metrics.get("test_original")
        shown = f", test accuracy {test.accuracy:.2%}" if test else ""
        return f"{self.arch} trained on {self.data} for {self.config.epochs} epochs{shown}"

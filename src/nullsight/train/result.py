"""The typed result of ``nullsight train`` (``kind: "train"``); version-0 files (before typed results) load unchanged."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from ..results import Result, register_result
from .loop import TrainConfig, TrainResult


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


@register_result
@dataclass
class TrainRun(Result):
    """A trained, evaluated, saved classifier.

    ``metrics`` has ``train_original`` and ``test_original``, and ``*_rescaled``
    (inputs scaled by ``rescale_factor_evaluated``) where the run trained with rescaled copies.
    """

    KIND: ClassVar[str] = "train"
    READS_VERSIONS: ClassVar[tuple[int, ...]] = (0,)
    arch: str
    data: str
    checkpoint: str
    normalization: InputNormalization
    config: TrainConfig
    rescale_factor_evaluated: float
    metrics: dict[str, Accuracy]
    history: TrainResult
    paper: dict[str, float | int | str] | None = None
    versions: dict[str, str] = field(default_factory=dict)
    command: str | None = None

    def headline(self) -> str:
        test = self.metrics.get("test_original")
        shown = f", test accuracy {test.accuracy:.2%}" if test else ""
        return f"{self.arch} trained on {self.data} for {self.config.epochs} epochs{shown}"

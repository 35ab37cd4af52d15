"""Typed results of ``nullsight sampling kernels`` and ``nullsight sampling eval`` (seed 004)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from ..artifacts import Artifact
from ..results import Result, register_result
from .checkerboard import CheckerboardResponse
from .invariance import InvarianceCheck
from .worst_case import WorstCaseRow


@dataclass
class OperatorKernel:
    """``ker(D)`` of one operator on one ``size x size`` channel: fast (separable) and dense reference.

    ``bound = n - m`` is the card's lower bound on ``nullity``; ``dense_*`` are
    None where the dense SVD was skipped; ``projector_max_diff`` is
    ``max |P_fast - N N^T|`` against the dense kernel basis ``N``.
    """

    name: str
    description: str
    size: int
    n: int
    m: int
    rank: int
    nullity: int
    bound: int
    sigma_min_kept: float
    tolerance: float
    dense_rank: int | None = None
    dense_nullity: int | None = None
    projector_max_diff: float | None = None
    basis_images: Artifact | None = None  # a few kernel basis images, (k, size, size) fp16


@register_result
@dataclass
class SamplingKernelsResult(Result):
    """The kernels of the five operators, the checkerboard measured, ``f = g o D`` blind to ``ker(D)``."""

    KIND: ClassVar[str] = "sampling-kernels"
    PATH_FIELDS: ClassVar[tuple[str, ...]] = ("network",)

    size: int
    operators: list[OperatorKernel]
    larger: list[OperatorKernel]
    checkerboard: list[CheckerboardResponse]
    invariance: list[InvarianceCheck]
    network: str

    def headline(self) -> str:
        dims = ", ".join(f"{o.name} {o.nullity}" for o in self.operators)
        return f"dim ker(D) of {len(self.operators)} downsampling operators on {self.size}x{self.size}: {dims}"


@dataclass
class SuiteRow:
    """One row of the card's table: accuracy (fraction) under a perturbation and its change from clean."""

    name: str
    label: str
    accuracy: float
    delta_from_clean: float
    paper_base: float | None = None    # the card's CIFAR-10 figures, percent
    paper_robust: float | None = None


@register_result
@dataclass
class SamplingEvalResult(Result):
    """The perturbation suite and the worst case within each operator's kernel for one classifier."""

    KIND: ClassVar[str] = "sampling-eval"

    label: str
    arch: str | None
    n: int
    input_size: list[int]
    mean: list[float]
    std: list[float]
    rows: list[SuiteRow]
    worst_case: list[WorstCaseRow]
    clip: bool = False
    examples: dict[str, Artifact] = field(default_factory=dict)  # first test image (channel 0, (H, W) fp16) under each
    # perturbation, and "delta:OP" the worst-case delta in ker(OP) found for it
    fit: str = "resize"  # how the images reached the model's input size (the checkpoint's training pipeline)

    def headline(self) -> str:
        worst = min(self.rows, key=lambda r: r.accuracy)
        clean = next((r.accuracy for r in self.rows if r.name == "clean"), None)
        shown = f"clean accuracy {clean:.1%}, " if clean is not None else ""
        return f"{self.label or self.model} on {self.data}: {shown}lowest {worst.accuracy:.1%} under {worst.label}"

    def accuracy(self, name: str) -> float | None:
        """The accuracy under the perturbation ``name`` (None if not evaluated)."""
        return next((r.accuracy for r in self.rows if r.name == name), None)

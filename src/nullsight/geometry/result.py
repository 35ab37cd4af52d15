"""Typed results of the feature-space geometry (seed 002): ``to_dict()`` is the JSON, ``from_dict()`` loads it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..results import Result, register_result

PAPER = {
    "data": "CIFAR-10, ResNet-20 (64 features)",
    "share_hull_closer": 0.783,
    "share_test_in_union": 0.68,
    "share_train_balls_with_other": 0.499,
    "share_test_balls_with_other": 0.47,
    "mean_count_per_ball": 297,
    "max_count_per_ball": 4791,
    "support_same_label_feature": 0.78,
    "support_same_label_pixel": 0.27,
    "accuracy_clean": 0.90,
    "accuracy_pixel_hull": 0.33,
    "accuracy_feature_hull": "unchanged",
    "lipschitz": 6.122,
    "table1_min_margin": 2.546,
    "table1_hull_distance": 0.508,
}
"""The figures seed 002 reports (CIFAR-10), shown beside ours."""


@dataclass
class SolverReport:
    """What verifies the distances: duality gaps of the hull projections, KKT residuals of the flip points."""

    hull_max_gap: float
    hull_max_relative_gap: float
    hull_unconverged: int
    hull_rounds: int
    flip_max_kkt: float
    flip_unconverged: int
    flip_infeasible: int
    pixel_hull_max_gap: float | None = None
    pixel_hull_unconverged: int | None = None


@dataclass
class MarginRow:
    """One image's margins to every class (seed 002, Table 1), its guaranteed ball and its hull distance."""

    index: int
    label: int
    predicted: int
    margins: list[float | None]  # d^{f(i,j)} per class j; None at j = i and where no flip point exists
    min_margin: float
    min_class: int
    hull_distance: float
    train_in_ball: int
    test_in_ball: int


@register_result
@dataclass
class GeometryResult(Result):
    """Margins, hull distances, ambiguity, union of learned regions, support labels and projection accuracy."""

    KIND: ClassVar[str] = "geometry"

    model: str
    data: str
    classes: list[str]
    feature_layer: str
    n_features: int
    nonneg: bool
    nonneg_note: str
    n_train: int
    n_test: int
    n_pixel: int
    n_pixel_train: int
    lipschitz: float
    accuracy: dict[str, float | None]
    ambiguity: dict[str, Any]
    union: dict[str, Any]
    support: dict[str, Any]
    table1: list[MarginRow]
    solver: SolverReport
    distances: dict[str, list[float]]
    examples: dict[str, Any]
    timings: dict[str, float]
    seed: int
    paper: dict[str, Any] = field(default_factory=lambda: dict(PAPER))
    command: str | None = None

    def headline(self) -> str:
        share = self.ambiguity.get("share_hull_closer")
        shown = f"the training hull is closer than the decision boundary for {share:.1%} of " if share is not None else ""
        return (f"{self.model} on {self.data}: {shown}{self.n_test} test images ({self.n_features}-D features), "
                f"Lipschitz bound {self.lipschitz:.3g}")


@register_result
@dataclass
class DetectionResult(Result):
    """Adversarial inputs land next to feature-space boundaries: margin-threshold detection per attack."""

    KIND: ClassVar[str] = "geometry-detection"

    model: str
    data: str
    n: int
    clean_accuracy: float
    attacks: list[dict[str, Any]]  # name, eps, steps, success_rate, auc, detection_rate, threshold, medians, ...
    margins: dict[str, list[float]]  # "clean" and one list per attack (successful adversarials)
    fpr: float
    seed: int
    command: str | None = None


@register_result
@dataclass
class InverseResult(Result):
    """Pixel-space images mapped onto feature-space targets (Eqs. 15-18), morphing (Fig. 8), paths (Fig. 9)."""

    KIND: ClassVar[str] = "geometry-inverse"

    model: str
    data: str
    index_a: int
    index_b: int
    distance_ab: float
    morph: list[dict[str, Any]]  # radius, constraint residual, pixel distance to reference, predicted class
    flip_target: dict[str, Any]  # the closest flip point of image a mapped back to pixels
    path_2d: dict[str, list[float]]  # two-point equidistant projection of the pixel straight line (App. A)
    images: dict[str, Any]  # small image lists for the figures
    seed: int
    command: str | None = None

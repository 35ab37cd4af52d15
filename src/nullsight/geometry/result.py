"""Typed results of the feature-space geometry (seed 002): ``to_dict()`` is the JSON, ``from_dict()`` loads it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from ..artifacts import Artifact
from ..results import Result, register_result

@dataclass
class PaperFigures:
    """The figures seed 002 reports (CIFAR-10, ResNet-20), shown beside ours."""

    data: str = "CIFAR-10, ResNet-20 (64 features)"
    share_hull_closer: float = 0.783
    share_test_in_union: float = 0.68
    share_train_balls_with_other: float = 0.499
    share_test_balls_with_other: float = 0.47
    mean_count_per_ball: float = 297
    max_count_per_ball: int = 4791
    support_same_label_feature: float = 0.78
    support_same_label_pixel: float = 0.27
    accuracy_clean: float = 0.90
    accuracy_pixel_hull: float = 0.33
    accuracy_feature_hull: str = "unchanged"
    lipschitz: float = 6.122
    table1_min_margin: float = 2.546
    table1_hull_distance: float = 0.508


PAPER = PaperFigures()
"""The figures seed 002 reports (CIFAR-10), shown beside ours."""


@dataclass
class Ambiguity:
    """Eq. 26: how often the training hull is closer than the nearest decision boundary, and the extreme images."""

    share_hull_closer: float
    median_d_f_min: float
    median_d_h: float
    share_outside_hull: float
    most_ambiguous: list[int]
    least_ambiguous: list[int]


@dataclass
class UnionOfRegions:
    """The union of the learned regions (the balls of radius d_f,min about each sample)."""

    share_test_in_union: float
    share_train_balls_with_other: float
    share_test_balls_with_other: float
    mean_count_per_ball: float
    max_count_per_ball: int


@dataclass
class SupportAgreement:
    """How often the support images of a hull projection carry the test image's label (by count, by weight)."""

    by_count: float
    by_weight: float
    mean_support_size: float


@dataclass
class SupportLabels:
    feature: SupportAgreement
    feature_pixel_subset: SupportAgreement | None = None
    pixel: SupportAgreement | None = None


@dataclass
class SupportImage:
    """A training image in the support of a hull projection, with its weight."""

    index: int
    alpha: float
    label: int
    image: Artifact


@dataclass
class AmbiguousImage:
    """A test image with its distances to the nearest boundary and to the training hull (Fig. 13)."""

    index: int
    label: int
    d_f_min: float
    d_h: float
    image: Artifact


@dataclass
class GeometryExamples:
    """What the report draws: the first image and its features (Figs. 2, 5), supports (Fig. 6), Fig. 13's images."""

    first: Artifact
    first_features: list[float]
    first_hull_features: list[float]
    feature_support: list[SupportImage]
    most_ambiguous: list[AmbiguousImage]
    least_ambiguous: list[AmbiguousImage]
    first_pixel_hull: Artifact | None = None
    pixel_support: list[SupportImage] | None = None


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
    ambiguity: Ambiguity
    union: UnionOfRegions
    support: SupportLabels
    table1: list[MarginRow]
    solver: SolverReport
    distances: dict[str, Artifact]  # "d_f_min", "d_h": one fp64 distance per test image (Fig. 10)
    examples: GeometryExamples
    timings: dict[str, float]
    paper: PaperFigures = field(default_factory=PaperFigures)

    def headline(self) -> str:
        shown = f"the training hull is closer than the decision boundary for {self.ambiguity.share_hull_closer:.1%} of "
        return (f"{self.model} on {self.data}: {shown}{self.n_test} test images ({self.n_features}-D features), "
                f"Lipschitz bound {self.lipschitz:.3g}")


@dataclass
class AttackDetection:
    """One attack's margin-threshold detection (``regions.detection_scores``) and what the attack did."""

    attack: str
    eps: float | None
    steps: int
    success_rate: float
    n_adversarial: int
    median_linf: float | None
    auc: float | None
    threshold: float | None
    detection_rate: float | None
    fpr: float
    clean_margin_median: float | None
    adversarial_margin_median: float | None
    seconds: float
    flip_max_kkt: float | None = None


@register_result
@dataclass
class DetectionResult(Result):
    """Adversarial inputs land next to feature-space boundaries: margin-threshold detection per attack."""

    KIND: ClassVar[str] = "geometry-detection"

    n: int
    clean_accuracy: float
    attacks: list[AttackDetection]
    margins: dict[str, list[float]]  # "clean" and one list per attack (successful adversarials)
    fpr: float


@dataclass
class MorphStep:
    """One radius of the morphing path (Fig. 8)."""

    radius: float
    residual: float
    pixel_distance: float
    predicted: int


@dataclass
class FlipTarget:
    """Image ``a`` mapped onto its closest flip point (Fig. 3c); the mapping's fields are None when no flip point exists."""

    class_from: int
    class_to: int
    feature_distance: float | None
    residual: float | None = None
    pixel_distance: float | None = None
    predicted: int | None = None
    logit_gap: float | None = None
    image: Artifact | None = None


@dataclass
class InverseImages:
    a: Artifact
    b: Artifact
    morph: list[Artifact]


@register_result
@dataclass
class InverseResult(Result):
    """Pixel-space images mapped onto feature-space targets (Eqs. 15-18), morphing (Fig. 8), paths (Fig. 9)."""

    KIND: ClassVar[str] = "geometry-inverse"

    index_a: int
    index_b: int
    distance_ab: float
    morph: list[MorphStep]
    flip_target: FlipTarget
    path_2d: dict[str, list[float]]  # two-point equidistant projection of the pixel straight line (App. A)
    images: InverseImages

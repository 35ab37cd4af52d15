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
    pool_size: int = 59_999  # other samples a ball can hold: 50,000 training + 10,000 test images, less its own
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
    pool_size: int | None = None  # other samples a ball can hold (training + test images, less its own centre)

    def shares(self, n_train: int, n_test: int) -> tuple[float, float, int]:
        """Mean and largest count as shares of the pool, and the pool (from the sizes where not recorded), so that
        pools of different sizes compare."""
        pool = self.pool_size or n_train + n_test - 1
        return self.mean_count_per_ball / pool, self.max_count_per_ball / pool, pool


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
class Share:
    """``k`` of ``n`` with its exact (Clopper-Pearson) 95% interval."""

    k: int
    n: int
    value: float
    low: float
    high: float


@dataclass
class PairedShift:
    """A paired change over the same images (after the attack minus before): its median, how often it is negative,
    and Wilcoxon's signed-rank two-sided p-value."""

    n: int
    median_before: float
    median_after: float
    median_difference: float
    share_decreased: float
    p: float | None


@dataclass
class AdversarialPair:
    """One attacked image (a row of App. B's pairs table): margins and hull distances before and after."""

    index: int
    d_f_clean: float
    d_f_adversarial: float
    d_h_clean: float
    d_h_adversarial: float


@dataclass
class AppendixB:
    """Seed 002, Sec. 7.2 and App. B for one attack: where adversarial inputs lie in feature space.

    ``boundary_closer``: adversarial inputs nearer a decision boundary than the training hull (d_f,min < d_h; the
    paper: 100%); ``towards_hull``: d_h after minus before, per image (the paper: attacks move images towards the
    hull); ``below_all_clean``: adversarial margins below the smallest margin of every clean training and test image
    (the paper: all); ``pairs``: the per-image table (csv).
    """

    boundary_closer: Share
    towards_hull: PairedShift
    below_all_clean: Share
    min_clean_margin: float
    d_h_adversarial_median: float
    pairs: Artifact


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
    appendix_b: "AppendixB | None" = None


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
    n_train: int | None = None  # training images forming the feature-space hull of App. B (None: not measured)
    n_clean_margins: int | None = None  # clean training and test margins the adversarial ones are compared with


@dataclass
class MorphStep:
    """One radius of the morphing path (Fig. 8)."""

    radius: float
    residual: float
    pixel_distance: float
    predicted: int
    relative_residual: float | None = None  # residual / ||N_phi(x_r) - t||


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
    relative_residual: float | None = None  # residual / feature_distance


@dataclass
class MappedImage:
    """An image found for a feature-space target (Eqs. 15-18): how close it came and what the model says of it.

    ``target_distance`` is ``||N_phi(x_r) - t||``, the feature distance the mapping covers; ``radius`` 0 for a point
    (Eq. 17), the ball's radius for a perimeter (Fig. 7)."""

    role: str
    target_distance: float
    radius: float
    residual: float
    relative_residual: float
    pixel_distance: float
    predicted: int
    target_class: int
    image: Artifact
    reference: Artifact | None = None


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
    b_split: str = "test"  # where image b comes from: "train" (the paper's pair: a test and a training image)
    class_a: int | None = None  # the model's class of image a (the class the paper's Fig. 8 path keeps)
    radius_a: float | None = None  # d_f,min of image a: the radius of its guaranteed ball B(x_phi)
    hull_target: MappedImage | None = None  # image a mapped onto its projection on the training hull (Fig. 5c)
    perimeter: list[MappedImage] = field(default_factory=list)  # images on the perimeter of B(x_phi) (Fig. 7)

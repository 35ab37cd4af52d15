"""Typed results of ``nullsight masks ...`` (seed 003): mask sets, correlations (Tables 1, 3, Fig. 4),
class-level masks and robust essential masks (Table 4)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from ..artifacts import Artifact
from ..results import Result, register_result

PAPER_TABLE1 = {  # CIFAR-10, ResNet-20: SVCCA, cosine mean, cosine std, IdCor, p-value
    "fmn": [0.25, 0.49, 0.27, 0.66, 0.01], "pgd": [0.30, 0.49, 0.28, 0.60, 0.01], "deepfool": [0.25, 0.48, 0.27, 0.62, 0.01]}
PAPER_TABLE3 = {  # PGD eps (x/255): attack success rate, IdCor, p-value
    "1/255": [0.6856, 0.59, 0.02], "3/255": [0.9978, 0.53, 0.04], "8/255": [1.0, 0.60, 0.01]}


@dataclass
class PaperTable4:
    """Seed 003's Table 4 (CIFAR-10, ResNet-20): rows are the data, columns the mask (none, FMN, PGD, DeepFool)."""

    columns: list[str]
    clean: list[float]
    fmn: list[float]
    pgd: list[float]
    deepfool: list[float]

    def row(self, name: str) -> list[float]:
        return getattr(self, name)


PAPER_TABLE4 = PaperTable4(["none", "fmn", "pgd", "deepfool"], clean=[0.92, 0.83, 0.74, 0.82],
                           fmn=[0.04, 0.78, 0.72, 0.78], pgd=[0.00, 0.43, 0.54, 0.44], deepfool=[0.00, 0.77, 0.71, 0.78])


def dash(value: float | None, spec: str) -> str:
    """A number formatted, or a dash where the estimator gave none (non-finite values are stored as null)."""
    return "–" if value is None else format(value, spec)


@dataclass
class Spread:
    """A null distribution in brief: its mean and central 95% range over ``draws`` draws (shuffled pairs)."""

    mean: float
    low: float  # 2.5th percentile
    high: float  # 97.5th percentile
    draws: int


@dataclass
class IntrinsicDimension:
    """TwoNN on one set of masks, with what says whether the number means anything.

    ``half`` is the mean TwoNN of two random halves (seeded); the estimate has ``converged`` when it moves by at
    most 10% from N/2 to N.  ``gaussian`` is TwoNN of i.i.d. Gaussian data of the same N and ambient dimension,
    preprocessed the same way: an estimate near it says the masks fill the space as far as TwoNN can tell at this N.
    """

    n: int
    ambient: int
    full: float
    half: float
    converged: bool
    gaussian: float


@dataclass
class MaskRunConfig:
    """The optimiser's settings a mask run used (:class:`~nullsight.masks.optimise.MaskConfig`), the attack steps and
    the chunk size (the attacks are seeded per chunk of images)."""

    lam: float
    lr: float
    min_steps: int
    max_steps: int
    patience: int
    tol: float
    attack_steps: int | None = None
    chunk: int | None = None  # None: a run from before chunks (one attack seed for all images)


@dataclass
class MaskSetSummary:
    """One set of masks: essential, or adversarial for one attack."""

    name: str  # "essential" or the attack's label, e.g. "pgd@8/255"
    kind: str
    attack: str | None
    eps: float | None
    n_masks: int
    success_rate: float | None  # the attack's, on the correctly classified images
    keep_rate: float | None  # masked images still classified as the target
    mean_density: float | None  # mean ||M||_1 / number of entries
    steps_mean: float | None
    steps_min: int | None
    steps_max: int | None
    file: str | None
    steps_median: float | None = None
    steps_p90: float | None = None
    at_cap: int | None = None  # masks that ran the full max_steps without meeting the stopping rule


@dataclass
class MaskExamples:
    """A few images for the Fig. 1-style figure: clean, adversarial, filtered by M_E and by M_A; masks centred.

    Each picture set is an ``(N, C, H, W)`` tensor beside the JSON (fp16)."""

    attack: str
    shape: list[int]
    labels: list[int]
    adversarial_labels: list[int]
    clean: Artifact
    adversarial: Artifact
    essential_filtered: Artifact
    adversarial_filtered: Artifact
    essential_mask: Artifact
    adversarial_mask: Artifact


@register_result
@dataclass
class MasksResult(Result):
    """``nullsight masks compute``: essential and adversarial masks of the first ``n_images`` test images."""

    KIND: ClassVar[str] = "masks"
    n_images: int
    clean_accuracy: float
    config: MaskRunConfig
    sets: list[MaskSetSummary]
    examples: MaskExamples | None

    def headline(self) -> str:
        sets = ", ".join(f"{s.name} ({s.n_masks})" for s in self.sets)
        return f"{self.model} on {self.data}: Fourier masks of {self.n_images} images: {sets}"


@dataclass
class CorrelationRow:
    """Essential vs adversarial masks of one attack (a row of Table 1 / Table 3)."""

    attack: str
    eps: float | None
    success_rate: float | None
    n_pairs: int
    svcca: float | None
    cosine_mean: float | None
    cosine_std: float | None
    idcor: float | None
    p_value: float | None
    id_essential: float | None
    id_adversarial: float | None
    id_joint: float | None
    svcca_null: Spread | None = None  # SVCCA of shuffled pairs (M_E with row-permuted M_A)
    idcor_null: Spread | None = None  # IdCor of shuffled pairs (the permutation test's null)
    id_joint_null: Spread | None = None  # TwoNN of [M_E, M_A permuted]
    twonn_essential: IntrinsicDimension | None = None
    twonn_adversarial: IntrinsicDimension | None = None
    twonn_joint: IntrinsicDimension | None = None

    @property
    def twonn_converged(self) -> bool | None:
        """All three TwoNN estimates behind IdCor converged (None where not checked)."""
        dims = (self.twonn_essential, self.twonn_adversarial, self.twonn_joint)
        return None if any(d is None for d in dims) else all(d.converged for d in dims)


@dataclass
class KClassPoint:
    """Fig. 4: IdCor averaged over random subsets of ``k`` classes."""

    k: int
    draws: int
    idcor_mean: float
    p_value_mean: float
    pairs_mean: float
    idcor: list[float] = field(default_factory=list)  # each draw's IdCor
    p_values: list[float] = field(default_factory=list)
    idcor_low: float | None = None  # 95% percentile-bootstrap interval of the mean over draws (None for one draw)
    idcor_high: float | None = None
    null_low: float | None = None  # IdCor of shuffled pairs in the same subsets: mean 2.5th and 97.5th percentiles
    null_high: float | None = None
    control_mean: float | None = None  # IdCor of random pairs of the same sizes, classes ignored (TwoNN's N bias)
    control: list[float] = field(default_factory=list)  # each draw's control


@dataclass
class KClassTrend:
    """Fig. 4 for one attack, with the trend tested: Spearman rho of IdCor against k over every draw (one point per
    random class subset), and the same for the size-matched control (a trend there comes from N, not classes)."""

    attack: str
    points: list[KClassPoint]
    rho: float | None = None
    p_value: float | None = None
    control_rho: float | None = None
    control_p_value: float | None = None


@register_result
@dataclass
class MaskCorrelationResult(Result):
    """``nullsight masks correlate``: SVCCA, cosine and IdCor between M_E and M_A (Tables 1, 3; Fig. 4)."""

    KIND: ClassVar[str] = "masks-correlation"
    permutations: int
    rows: list[CorrelationRow]
    trends: list[KClassTrend]
    paper_table1: dict[str, list[float]] = field(default_factory=lambda: dict(PAPER_TABLE1))
    paper_table3: dict[str, list[float]] = field(default_factory=lambda: dict(PAPER_TABLE3))


@register_result
@dataclass
class ClassMasksResult(Result):
    """``nullsight masks class``: one essential mask per class (Sec. 4.7), checked on unseen test images."""

    KIND: ClassVar[str] = "masks-class"
    PATH_FIELDS: ClassVar[tuple[str, ...]] = ("masks_file",)
    lam: float
    steps: int
    train_per_class: int
    test_n: int
    accuracy_no_mask: float
    accuracy_true_class_mask: float  # the mask of the true class (an oracle)
    accuracy_predicted_class_mask: float  # predict, pick that class's mask, predict again
    per_class_true_mask: list[float]
    density: list[float]
    masks: Artifact  # the centred class masks, channel-averaged, (K, H, W) fp16, for the figure
    mask_shape: list[int]
    masks_file: str | None


@register_result
@dataclass
class RobustMasksResult(Result):
    """``nullsight masks robust``: Table 4 (robust essential masks, predict -> class mask -> predict), plus the
    adaptive attacker the paper leaves out (the attack run through the whole mask pipeline)."""

    KIND: ClassVar[str] = "masks-robust"
    lam: float
    steps: int
    train_per_class: int
    test_n: int
    rows: list[str]  # "clean", then the attacks
    columns: list[str]  # "none", then the attack each robust mask set was trained against
    accuracy: list[list[float]]  # rows x columns
    adaptive_rows: list[str]
    adaptive_accuracy: list[list[float | None]]  # attacks through the pipeline of each column (None for "none")
    attack_success: dict[str, float]  # attack -> success rate on the test images (no mask)
    paper_table4: PaperTable4 = field(default_factory=lambda: PAPER_TABLE4)

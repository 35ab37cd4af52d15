"""Typed results of ``nullsight stego ...`` (seed 001); their JSON is ``to_dict()``.

The shapes are those written before typed results existed, so version-0 files
(without ``schema_version``) load unchanged (``READS_VERSIONS``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import torch

from ..artifacts import Artifact
from ..results import NOT_SERIALISED, Result, register_result
from .evaluate import StegoEvaluation
from .filter_intersection import ConvNullRow


@dataclass
class StegoExamples:
    """A few cover / hidden / stego triples for the report's figure: ``(N, C, H, W)`` pixels beside the JSON (fp16)."""

    cover: Artifact
    hidden: Artifact
    stego: Artifact
    prediction: list[int]
    confidence: list[float]
    hidden_label: list[int]
    alpha2: list[float]
    shape: list[int]


@dataclass
class PaperProtocol:
    """Seed 001's selection of hidden images (Sec. 4): training images with ``H`` and ``0.2 H`` both correct."""

    per_class: int
    candidates: int
    eligible: int
    eligible_per_class: list[int]
    selected_per_class: list[int]
    confidence_original: float
    confidence_rescaled: float


@register_result
@dataclass
class StegoEvalResult(Result, StegoEvaluation):
    """Success, look and robustness of stego images over a test set (``kind: "stego-eval"``)."""

    KIND: ClassVar[str] = "stego-eval"
    READS_VERSIONS: ClassVar[tuple[int, ...]] = (0,)
    cover_data: str = ""
    hidden_data: str = ""
    null_dim: int = 0
    null_residual: float = 0.0
    examples: StegoExamples | None = None
    protocol: str = "ours"  # ours: unfiltered test pairs | paper: seed 001's filtered training images
    paper_success_rate: float | None = None  # the paper's definition: pred(S) = the hidden image's label
    paper_protocol: PaperProtocol | None = None

    def headline(self) -> str:
        if self.protocol == "paper":
            return (f"{self.model} (paper's protocol): {self.paper_success_rate:.2%} of {self.n} stego images classified "
                    f"as the hidden image's category ({self.cover_data} covers, {self.hidden_data} hidden, training split)")
        return (f"{self.model}: {self.success_rate:.1%} of {self.n} stego images read as the hidden image "
                f"({self.cover_data} covers, {self.hidden_data} hidden)")


@dataclass
class SeenExamples:
    """Originals and their row-space projections (pixel space, not clipped): ``(N, C, H, W)`` beside the JSON (fp16)."""

    original: Artifact
    seen: Artifact
    shape: list[int]


@register_result
@dataclass
class StegoSeesResult(Result):
    """What the network sees: row-space projections and the prediction check (``kind: "stego-sees"``)."""

    KIND: ClassVar[str] = "stego-sees"
    READS_VERSIONS: ClassVar[tuple[int, ...]] = (0,)
    n: int
    null_dim: int
    predictions_agree: float
    max_logit_diff: float
    max_logit_diff_fp64: float
    examples: SeenExamples

    def headline(self) -> str:
        return (f"{self.model}: predictions of x and of what the network sees agree on {self.predictions_agree:.0%} "
                f"of {self.n} {self.data} images (max logit difference {self.max_logit_diff_fp64:.1e} in fp64)")


@register_result
@dataclass
class StegoConvResult(Result):
    """Null dimension of a first convolution as filters are added (App. B; ``kind: "stego-conv"``)."""

    KIND: ClassVar[str] = "stego-conv"
    READS_VERSIONS: ClassVar[tuple[int, ...]] = (0,)
    source: str
    size: int
    kernel: int
    padding: str
    rows: list[ConvNullRow]

    def headline(self) -> str:
        dims = ", ".join(str(r.null_dim) for r in self.rows)
        return f"{self.kernel}x{self.kernel} {self.padding} kernels on {self.size}x{self.size}: null dimension {dims} as filters are added"


@register_result
@dataclass
class StegoHideResult(Result):
    """One stego image (``kind: "stego-hide"``); the images are saved by the CLI from the tensors it carries."""

    KIND: ClassVar[str] = "stego-hide"
    PATH_FIELDS: ClassVar[tuple[str, ...]] = ("cover", "hidden")
    cover: str
    hidden: str
    alpha1: float
    alpha2: float
    in_range: bool
    prediction: int
    confidence: float
    hidden_prediction: int
    hidden_confidence: float
    hidden_label: int
    cover_prediction: int
    agree: bool
    null_dim: int
    stego_png: str | None = None
    stego_npy: str | None = None
    stego_pixels: torch.Tensor | None = field(default=None, repr=False, metadata=NOT_SERIALISED)  # (C, H, W) in [0, 1]
    stego_model_space: torch.Tensor | None = field(default=None, repr=False, metadata=NOT_SERIALISED)  # lossless

    def headline(self) -> str:
        return (f"{self.model}: stego image read as {self.prediction} (hidden image: {self.hidden_prediction}), "
                f"{'agree' if self.agree else 'DISAGREE'}")


@register_result
@dataclass
class StegoRevealResult(Result):
    """The network's reading of a stego image and its two components (``kind: "stego-reveal"``)."""

    KIND: ClassVar[str] = "stego-reveal"
    PATH_FIELDS: ClassVar[tuple[str, ...]] = ("stego",)
    stego: str
    prediction: int
    confidence: float
    row_space_prediction: int
    null_part_norm: float
    row_part_norm: float

    def headline(self) -> str:
        return f"{self.model}: {self.stego} read as {self.prediction} ({self.confidence:.1%})"


@register_result
@dataclass
class StegoFig1Result(Result):
    """Seed 001 Fig. 1: a ``(2, 1, 3, 1)``-ReLU network's surface, flat along ``Null(W1)`` (``kind: "stego-fig1"``).

    ``values[i][j] = f(xs[j], xs[i])``; the spreads are the largest ``max f - min f`` on lines parallel to the null
    direction (round-off) and to the row direction, fp64.
    """

    KIND: ClassVar[str] = "stego-fig1"
    sizes: list[int]
    w1: list[list[float]]
    null_direction: list[float]
    extent: float
    xs: list[float]
    values: list[list[float]]
    spread_along_null: float
    spread_along_row: float
    lines: int

    def headline(self) -> str:
        return (f"(2, 1, 3, 1)-ReLU network: output spread {self.spread_along_null:.1e} along Null(W1), "
                f"{self.spread_along_row:.3g} along the row direction (fp64, {self.lines} lines)")


@dataclass
class Fig11Examples:
    """The originals and each model's row-space image of them (pixel space, unclipped), ``(N, C, H, W)`` fp16 each."""

    original: Artifact
    seen: list[Artifact]  # one per model
    shape: list[int]


@register_result
@dataclass
class StegoFig11Result(Result):
    """Seed 001 Fig. 11: different networks see different row-space images of the same inputs (``kind: "stego-fig11"``).

    ``relative_difference``: per image ``||x_perp(A) - x_perp(B)|| / ||x||`` for the first two models (model space);
    ``predictions_agree`` / ``max_logit_diff_fp64``: each model on ``x`` against on its own ``x_perp``.
    """

    KIND: ClassVar[str] = "stego-fig11"
    models: list[str]
    n: int
    null_dims: list[int]
    predictions_agree: list[float]
    max_logit_diff_fp64: list[float]
    relative_difference: list[float]
    relative_difference_mean: float
    examples: Fig11Examples

    def headline(self) -> str:
        return (f"{len(self.models)} networks see {self.n} {self.data} images differently: mean relative difference of "
                f"their row-space images {self.relative_difference_mean:.3f}; each predicts x_perp as x "
                f"({', '.join(f'{a:.0%}' for a in self.predictions_agree)})")

"""Typed results of ``nullsight detect`` and ``nullsight purify``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from ..results import Result, register_result


@dataclass
class Detection:
    """Clean inputs against one kind of attacked input, scored by the null-space energy share."""

    attack: str
    n_clean: int
    n_attacked: int
    roc_auc: float
    tpr_at_1pct_fpr: float
    threshold_at_1pct_fpr: float
    clean_share_mean: float
    attacked_share_mean: float
    direction: str  # "higher" or "lower": which side of the threshold is flagged
    attacked_null_l2_mean: float
    attacked_null_linf_mean: float
    note: str = ""


@register_result
@dataclass
class DetectResult(Result):
    """How well the null-space energy share separates clean inputs from stego images and collisions."""

    KIND: ClassVar[str] = "detect"
    null_dim: int
    method: str
    detections: list[Detection]
    skipped: list[str] = field(default_factory=list)

    def headline(self) -> str:
        shown = ", ".join(f"{d.attack} AUC {d.roc_auc:.3f} (TPR {d.tpr_at_1pct_fpr:.0%} at 1% FPR)" for d in self.detections)
        return f"{self.model} on {self.data}: null-space energy detects {shown}"


@register_result
@dataclass
class PurifyResult(Result):
    """Inputs projected onto what the network sees: predictions unchanged (verified), raw bytes changed."""

    KIND: ClassVar[str] = "purify"
    n: int
    null_dim: int
    exact: bool
    max_rel_diff_fp64: float
    same_top1_fraction: float
    removed_l2_mean: float
    removed_linf_mean: float
    out_of_range_fraction: float
    hash_changed_fraction: float
    second_model: str | None = None
    second_model_changed_fraction: float | None = None

    def headline(self) -> str:
        return (f"{self.model}: purified {self.n} {self.data} inputs, predictions {'unchanged (exact)' if self.exact else 'CHANGED'}"
                f" (max relative difference {self.max_rel_diff_fp64:.1e} fp64), 8-bit hash changed for "
                f"{self.hash_changed_fraction:.0%}")

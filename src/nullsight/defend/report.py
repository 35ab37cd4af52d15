"""Report sections for null-space detection and purification."""

from __future__ import annotations

from ..report import Section, Table, section_for
from .result import DetectResult, PurifyResult


@section_for(DetectResult)
def detect_sections(results: list[DetectResult]) -> list[Section]:
    columns = ["model", "data", "attacked inputs", "ROC AUC", "TPR at 1% FPR", "clean share", "attacked share", "flagged side"]
    rows = [[r.model, r.data, d.attack, d.roc_auc, d.tpr_at_1pct_fpr, d.clean_share_mean, d.attacked_share_mean,
             d.direction] for r in results for d in r.detections]
    notes = "\n".join(f"- {s}" for r in results for s in r.skipped)
    return [Section("Detecting null-space attacks", DetectResult.KIND,
                    "Score: the share of an input's energy in the null space of the first operator. "
                    "Collisions add to it; stego images shrink the visible part." + ("\n\n" + notes if notes else ""),
                    tables=[Table("Clean vs attacked", columns, rows)])]


@section_for(PurifyResult)
def purify_sections(results: list[PurifyResult]) -> list[Section]:
    columns = ["model", "data", "n", "exact", "max rel Δ fp64", "same top-1", "|removed| L2", "out of range",
               "8-bit hash changed", "second model changed"]
    rows = [[r.model, r.data, r.n, r.exact, r.max_rel_diff_fp64, r.same_top1_fraction, r.removed_l2_mean,
             r.out_of_range_fraction, r.hash_changed_fraction, r.second_model_changed_fraction] for r in results]
    return [Section("Purification: what the network sees, as an input", PurifyResult.KIND,
                    "x − Px keeps the prediction by construction (verified in fp64) and removes everything a null-space "
                    "attack could hide; anything else reading the raw input sees a different input.",
                    tables=[Table("Purified inputs", columns, rows)])]

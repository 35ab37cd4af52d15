"""Audit results as terminal tables, markdown and CSV (presentation only, no computation)."""

from __future__ import annotations

from rich.table import Table

from ..formats import cell, csv_text, markdown_table
from .core import ModelAudit

SUMMARY_COLUMNS = ("model", "n_weights", "nu", "nu_pct", "mu", "mu_pct", "sum_nullity", "structural_sum_nullity",
                   "nullity_first", "structural_nullity_first", "first_weight")
LAYER_COLUMNS = ("name", "module_type", "rows", "cols", "rank", "nullity", "structural_nullity", "sigma_max",
                 "sigma_min", "gap", "method", "groups", "group_nullity_sum", "orientation", "blocks")


def summary_rows(audits: list[ModelAudit]) -> list[list[object]]:
    return [[getattr(a, c) for c in SUMMARY_COLUMNS] for a in audits]


def layer_rows(audit: ModelAudit) -> list[list[object]]:
    return [[_value(layer, c) for c in LAYER_COLUMNS] for layer in audit.layers]


def _value(layer: object, column: str) -> object:
    value = getattr(layer, column)
    if column == "blocks" and value:  # gate nullities of a recurrent weight: "i:4 f:4 g:4 o:4"
        return " ".join(f"{k}:{v}" for k, v in value.items())
    return value


def skipped_rows(audit: ModelAudit, examples: int = 3) -> list[list[object]]:
    """The parameters not audited, grouped by reason: ``[reason, count, first names]``."""
    groups: dict[str, list[str]] = {}
    for item in audit.skipped:
        groups.setdefault(item.reason, []).append(item.name)
    return [[reason, len(names), ", ".join(names[:examples]) + (", ..." if len(names) > examples else "")]
            for reason, names in groups.items()]


def to_markdown(audits: list[ModelAudit]) -> str:
    """Table 2's columns for every model, then each model's layers and the parameters not audited."""
    parts = ["## Summary\n", markdown_table(SUMMARY_COLUMNS, summary_rows(audits))]
    for audit in audits:
        parts += [f"\n## {audit.model}\n", markdown_table(LAYER_COLUMNS, layer_rows(audit))]
        if audit.skipped:
            parts += [f"\n{len(audit.skipped)} parameter(s) not audited:\n",
                      markdown_table(("reason", "count", "parameters"), skipped_rows(audit))]
    return "\n".join(parts)


def to_csv(audits: list[ModelAudit]) -> str:
    """One row per layer, with the model's name in the first column."""
    rows = [[audit.model, *row] for audit in audits for row in layer_rows(audit)]
    return csv_text(("model", *LAYER_COLUMNS), rows)


_SHORT = {"n_weights": "n", "nu": "ν", "nu_pct": "ν %", "mu": "μ", "mu_pct": "μ %", "sum_nullity": "Σ nullity",
          "structural_sum_nullity": "Σ struct.", "nullity_first": "null(W1)", "structural_nullity_first": "struct.(W1)",
          "first_weight": "W1", "module_type": "type", "structural_nullity": "struct.", "group_nullity_sum": "Σ group null"}


def rich_tables(audits: list[ModelAudit], layers: bool = True) -> list[Table]:
    """Terminal tables: the Table 2 summary, then per-layer detail."""
    summary = Table(title="Weight null-space audit (seed 000, Table 2)")
    for column in SUMMARY_COLUMNS:
        summary.add_column(_SHORT.get(column, column), justify="left" if column in ("model", "first_weight") else "right")
    for row in summary_rows(audits):
        summary.add_row(*(cell(v) for v in row))
    tables = [summary]
    if layers:
        for audit in audits:
            detail = Table(title=f"{audit.model}: per-layer ranks (rtol policy: max(m,n)·eps)")
            for column in LAYER_COLUMNS:
                detail.add_column(_SHORT.get(column, column), justify="left" if column in ("name", "module_type", "method") else "right")
            for row in layer_rows(audit):
                detail.add_row(*(cell(v) for v in row))
            tables.append(detail)
    for audit in audits:  # nothing is skipped silently
        if audit.skipped:
            skipped = Table(title=f"{audit.model}: {len(audit.skipped)} parameter(s) not audited")
            for column in ("reason", "count", "parameters"):
                skipped.add_column(column, justify="right" if column == "count" else "left")
            for row in skipped_rows(audit):
                skipped.add_row(*(cell(v) for v in row))
            tables.append(skipped)
    return tables

"""Report sections for audits (the layers with the largest null spaces, named) and for the Table 2 reproduction."""

from __future__ import annotations

import numpy as np

from ..report import Figure, Section, Table, figure_png, new_figure, section_for
from .core import ModelAudit
from .output import SUMMARY_COLUMNS, skipped_rows, summary_rows
from .table2 import Table2Result

_TOP_LAYERS = 20


@section_for(ModelAudit)
def audit_sections(results: list[ModelAudit]) -> list[Section]:
    """One summary table for all audited models, then a chart of each model's largest null spaces."""
    summary = Table("Table 2 columns (numerical; structural beside)", list(SUMMARY_COLUMNS), summary_rows(results))
    sections = [Section(
        title="Weight null-space audit",
        kind=ModelAudit.KIND,
        summary=("Rank is counted with the LAPACK tolerance `max(m,n)·eps(dtype)·σ_max` on fp64 singular values; "
                 "**ν** counts weights with a non-trivial null space (Lemma 1), **μ** weights with fewer rows than "
                 "columns (Theorem 1). Structural figures follow from the shapes alone."),
        tables=[summary],
    )]
    for result in results:
        sections.append(Section(
            title=f"{result.model}: the largest null spaces",
            kind=ModelAudit.KIND,
            summary=(f"First weight the input meets: `{result.first_weight}` "
                     f"({result.first_weight_found_by}), nullity {result.nullity_first}. "
                     f"{result.nu} of {result.n_weights} weights have a null space, Σ nullity {result.sum_nullity:,}."),
            figures=[_nullity_chart(result)],
            tables=[Table(f"{len(result.skipped)} parameter(s) not audited, by reason", ["reason", "count", "parameters"],
                          skipped_rows(result))] if result.skipped else [],
        ))
    return sections


@section_for(Table2Result)
def table2_sections(results: list[Table2Result]) -> list[Section]:
    """Paper vs nullsight, row by row, with the computed explanation of every difference."""
    sections = []
    for result in results:
        columns = ["model", "spec", "ν paper", "ν ours", "Σ nullity paper", "Σ nullity ours", "Σ structural",
                   "nullity(W1) paper", "nullity(W1) ours"]
        rows, notes = [], []
        for row in result.rows:
            ours = row.ours
            rows.append([row.model, row.spec, row.paper.nu, ours and ours.nu, row.paper.sum_nullity,
                         ours and ours.sum_nullity, ours and ours.structural_sum_nullity, row.paper.nullity_first,
                         ours and ours.nullity_first])
            notes += [f"- **{row.model}**: {note}" for note in row.explanation]
        sections.append(Section(
            title=f"Table 2 of seed 000 (weights: {result.weights})",
            kind=Table2Result.KIND,
            summary="\n".join(notes),
            tables=[Table("Paper vs nullsight", columns, rows)],
        ))
    return sections


def _nullity_chart(result: ModelAudit) -> Figure:
    """Horizontal bars: the layers with the largest nullity, by name, the structural nullity marked."""
    layers = sorted((l for l in result.layers if l.nullity or l.structural_nullity), key=lambda l: -l.nullity)[:_TOP_LAYERS]
    fig, ax = new_figure(width=7.5, height=max(1.8, 0.28 * len(layers) + 1.0))
    if not layers:
        ax.text(0.5, 0.5, "no weight has a null space", ha="center", va="center")
        ax.set_axis_off()
    else:
        y = np.arange(len(layers))
        ax.barh(y, [l.nullity for l in layers], color="#3b6ea8", label="numerical nullity")
        ax.scatter([l.structural_nullity for l in layers], y, color="#d95f02", marker="|", s=120, zorder=3,
                   label="structural max(cols-rows, 0)")
        ax.set_yticks(y, [f"{l.name} ({l.rows}×{l.cols})" for l in layers], fontsize=7)
        ax.invert_yaxis()
        ax.set_xscale("symlog", linthresh=1)
        ax.set_xlabel("nullity")
        ax.legend(loc="lower right", fontsize=7)
    shown = f"the {len(layers)} largest of {result.n_weights} weights" if layers else "no null space"
    ax.set_title(f"{result.model}: {shown}", fontsize=9)
    return Figure(f"{result.model}: nullity of {shown}, by layer name", figure_png(fig),
                  caption="Bars: nullity of the stored weights; ticks: what the shape alone forces.")

"""Report sections for audits (per-layer nullity chart) and for the Table 2 reproduction."""

from __future__ import annotations

import numpy as np

from ..report import SECTION_BUILDERS, Figure, Section, Table, figure_png, new_figure
from .output import SUMMARY_COLUMNS, summary_rows


@SECTION_BUILDERS.register("audit")
def audit_sections(results: list[dict]) -> list[Section]:
    """One summary table for all audited models, then a nullity-per-layer chart for each."""
    summary = Table("Table 2 columns (numerical; structural beside)", list(SUMMARY_COLUMNS), summary_rows(results))
    sections = [Section(
        title="Weight null-space audit",
        kind="audit",
        summary=("Rank is counted with the LAPACK tolerance `max(m,n)·eps(dtype)·σ_max` on fp64 singular values; "
                 "**ν** counts weights with a non-trivial null space (Lemma 1), **μ** weights with fewer rows than "
                 "columns (Theorem 1). Structural figures follow from the shapes alone."),
        tables=[summary],
    )]
    for result in results:
        sections.append(Section(
            title=f"{result['model']}: nullity per layer",
            kind="audit",
            summary=(f"First weight the input meets: `{result['first_weight']}` "
                     f"({result['first_weight_found_by']}), nullity {result['nullity_first']}."),
            figures=[_nullity_chart(result)],
        ))
    return sections


@SECTION_BUILDERS.register("table2")
def table2_sections(results: list[dict]) -> list[Section]:
    """Paper vs nullsight, row by row, with the computed explanation of every difference."""
    sections = []
    for result in results:
        columns = ["model", "spec", "ν paper", "ν ours", "Σ nullity paper", "Σ nullity ours", "Σ structural",
                   "nullity(W1) paper", "nullity(W1) ours"]
        rows, notes = [], []
        for row in result["rows"]:
            ours = row["ours"] or {}
            rows.append([row["model"], row["spec"], row["paper"]["nu"], ours.get("nu"), row["paper"]["sum_nullity"],
                         ours.get("sum_nullity"), ours.get("structural_sum_nullity"), row["paper"]["nullity_first"],
                         ours.get("nullity_first")])
            notes += [f"- **{row['model']}**: {note}" for note in row["explanation"]]
        sections.append(Section(
            title=f"Table 2 of seed 000 (weights: {result['weights']})",
            kind="table2",
            summary="\n".join(notes),
            tables=[Table("Paper vs nullsight", columns, rows)],
        ))
    return sections


def _nullity_chart(result: dict) -> Figure:
    layers = result["layers"]
    x = np.arange(len(layers))
    numerical = np.array([layer["nullity"] for layer in layers])
    structural = np.array([layer["structural_nullity"] for layer in layers])
    fig, ax = new_figure(width=max(6.0, min(14.0, 0.12 * len(layers) + 4)), height=3.6)
    ax.bar(x, numerical, color="#3b6ea8", label="numerical nullity")
    ax.scatter(x, structural, color="#d95f02", marker="_", s=60, zorder=3, label="structural max(cols-rows, 0)")
    ax.set_xlabel("weight (parameter order)")
    ax.set_ylabel("nullity")
    ax.set_yscale("symlog", linthresh=1)
    ax.legend(loc="upper left", fontsize=8)
    ax.set_title(result["model"], fontsize=10)
    return Figure(f"{result['model']} nullity per layer", figure_png(fig),
                  caption="Bars: nullity of the stored weights; dashes: what the shape alone forces.")

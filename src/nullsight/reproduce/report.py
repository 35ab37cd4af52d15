"""Report section of the claims tables: one table per seed, a verdict per claim."""

from __future__ import annotations

from ..report import Section, Table, section_for
from .result import ClaimsResult


@section_for(ClaimsResult)
def claims_sections(results: list[ClaimsResult]) -> list[Section]:
    sections = []
    for r in sorted(results, key=lambda r: r.recipe):
        counts = ", ".join(f"{n} {word}" for word, n in r.counts().items())
        note = " A quick run: a smoke test of the recipe on a small subset, not evidence." if r.quick else ""
        sections.append(Section(f"Seed {r.recipe}: {r.title}", ClaimsResult.KIND,
                                f"Verdicts: {counts}. Our figure is given with its 95% interval or the p-value of the "
                                f"stated test.{note}",
                                tables=[Table("Claims", list(ClaimsResult.COLUMNS), r.table_rows())]))
    return sections

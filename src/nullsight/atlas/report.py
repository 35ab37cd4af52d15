"""Report section for the null-space atlas: the verdict counts, then the verdicts per family (the page has every row)."""

from __future__ import annotations

from collections import Counter

from ..report import Section, Table, section_for
from .result import STATUSES, VERDICTS, AtlasResult


@section_for(AtlasResult)
def atlas_sections(results: list[AtlasResult]) -> list[Section]:
    sections = []
    for r in results:
        counts = r.counts
        summary = Table("Verdicts of the first operator", [*VERDICTS, *STATUSES],
                        [[counts.verdict.get(v, 0) for v in VERDICTS] + [counts.status.get(s, 0) for s in STATUSES]])
        per_family = Counter((row.family, row.verdict) for row in r.rows)
        families = sorted(counts.family, key=lambda f: (-counts.family[f], f))
        table = Table("Per family", ["family", "architectures", *VERDICTS],
                      [[f, counts.family[f], *(per_family[(f, v)] for v in VERDICTS)] for f in families])
        sections.append(Section(f"Null-space atlas: {len(r.rows)} architectures", AtlasResult.KIND,
                                f"{r.weights_note}. exact: the first operator has a null space (a collision built and "
                                "checked at fp64); impossible: it is injective (rank certificate); undetermined: why is "
                                "in each row. Every row is in atlas.parquet and on the atlas page.",
                                tables=[summary, table]))
    return sections

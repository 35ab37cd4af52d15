"""The typed result of ``nullsight reproduce SEED`` (``kind: "claims"``): the claims table and the stages run."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from ..results import Result, register_result


@dataclass
class OutputFile:
    """A file a stage wrote, relative to the repository, with its sha256."""

    path: str
    sha256: str


@dataclass
class StageRecord:
    """One stage of the recipe in this run: ``ran``, ``cached`` (same inputs, outputs present) or ``skipped``
    (a training stage whose checkpoint exists, without ``--train``)."""

    name: str
    status: str
    key: str
    seconds: float
    command: str
    outputs: list[OutputFile] = field(default_factory=list)


@dataclass
class ClaimRow:
    """One claim: the paper's figure, ours with its interval or p-value, the protocol difference and the verdict."""

    id: str
    statement: str
    paper: str
    ours: str
    verdict: str
    why: str
    protocol: str
    value: float | None = None
    low: float | None = None
    high: float | None = None
    p: float | None = None
    n: int = 0
    test: str = ""
    note: str = ""


@register_result
@dataclass
class ClaimsResult(Result):
    """A seed reproduced: every claim with a verdict word; ``quick`` runs are smoke tests, not evidence."""

    KIND: ClassVar[str] = "claims"
    recipe: str
    title: str
    quick: bool
    rows: list[ClaimRow]
    stages: list[StageRecord]

    COLUMNS: ClassVar[tuple[str, ...]] = ("claim", "statement", "paper", "ours", "verdict", "why",
                                          "protocol difference")

    def table_rows(self) -> list[list[str]]:
        """One row per claim under :attr:`COLUMNS` (the claim's note joins its reason), for the report and docs."""
        return [[r.id, r.statement, r.paper, r.ours or "–", r.verdict, "; ".join(filter(None, (r.why, r.note))),
                 r.protocol] for r in self.rows]

    def counts(self) -> dict[str, int]:
        """How many claims got each verdict word."""
        out: dict[str, int] = {}
        for row in self.rows:
            out[row.verdict] = out.get(row.verdict, 0) + 1
        return out

    def headline(self) -> str:
        counts = ", ".join(f"{n} {word}" for word, n in self.counts().items())
        return f"seed {self.recipe}{' (quick)' if self.quick else ''}: {len(self.rows)} claims: {counts}"

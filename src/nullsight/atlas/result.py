"""The atlas as a typed result (``kind: "atlas"``): one row per architecture, the counts over them.

The layout is the contract with the atlas page (:mod:`nullsight.atlas.page`): field names are kept, fields are only
ever added.  ``seconds`` (per row) is the one field that differs between two runs of the same seed; ``created`` and
``command`` are the provenance.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import ClassVar

from ..results import Result, register_result, to_jsonable

VERDICTS = ("exact", "impossible", "undetermined")
STATUSES = ("ok", "error", "timeout")
GENERIC_NOTE = "generic weights: random initialisation, seed {seed}"


@dataclass
class LargestNull:
    """One of the weights with the largest structural null space."""

    name: str
    shape: list[int]
    structural_nullity: int


@dataclass
class AtlasAudit:
    """Seed 000's Table 2 columns from the weights' shapes (Lemma 1, Theorem 1), computed on the meta device.

    ``with_null_space``: weights whose shape forces a null space (``rows < cols``); ``nu``: weights with
    ``nullity >= 1`` (for random-init weights the shapes decide, so ``nu == with_null_space``; with a checkpoint,
    the numerical count); ``mu``: weights with ``rows < cols`` (Theorem 1).
    """

    matrices: int
    with_null_space: int
    null_share: float
    nu: int
    mu: int
    sum_structural_nullity: int
    nullity_first_structural: int | None
    largest: list[LargestNull] = field(default_factory=list)
    skipped: int = 0
    """Parameters of two or more dimensions that are not a linear map (class tokens, position embeddings)."""


@dataclass
class FirstOperator:
    """The first operator the input meets, found by a forward trace on the meta device.

    ``kind``: ``patchify`` (disjoint patches), ``fc`` (a Linear on the flattened input), ``conv`` (an overlapping
    or padded convolution at the input resolution), ``resize`` (an interpolation or a model's input transform
    first), ``transform`` (a non-linear or unknown step first), ``other``.
    """

    name: str
    kind: str
    module_type: str
    signature: str
    kernel: list[int] | None = None
    stride: list[int] | None = None
    padding: list[int] | None = None
    in_channels: int | None = None
    out_channels: int | None = None
    input_shape: list[int] | None = None
    """The shape the operator receives (without the batch), where it differs from the model's input."""
    steps: list[str] = field(default_factory=list)
    """The operations between the model's input and this operator (normalisation, rearrangement, resize)."""


@dataclass
class Evidence:
    """What supports a verdict: the method, the fp64/fp32 check of a built collision, or the rank certificate.

    ``max_abs_diff_*``: ``max |A x - A (x + v)|`` of the first operator alone, ``||v|| = 1``; ``sigma_min``
    and ``rank``: the certificate (see ``method``); ``lower_bound``: the null dimension is a lower bound.
    """

    method: str
    generic_weights: bool
    max_abs_diff_fp32: float | None = None
    max_abs_diff_fp64: float | None = None
    sigma_min: float | None = None
    rank: int | None = None
    reason: str | None = None
    lower_bound: bool = False


@dataclass
class AtlasRow:
    """One architecture: what it is, its structural audit, its first operator and that operator's verdict.

    Every field but ``architecture`` has a default, so that the lean JSON of :meth:`AtlasResult.lean_dict` (defaults
    and per-model details left out) loads back; ``source`` defaults to the architecture's prefix.
    """

    architecture: str
    source: str = ""
    family: str = ""
    task: str = "classification"
    weights: str = "random-init"
    input_size: list[int] = field(default_factory=lambda: [3, 224, 224])
    parameters: int | None = None
    status: str = "ok"
    error: str | None = None
    audit: AtlasAudit | None = None
    first_operator: FirstOperator | None = None
    verdict: str = "undetermined"
    null_dimension: int | None = None
    evidence: Evidence = field(default_factory=lambda: Evidence("none", True))
    seconds: float = 0.0

    def __post_init__(self) -> None:
        self.source = self.source or self.architecture.partition(":")[0]


LEAN_DETAILS = ("audit", "first_operator", "evidence", "seconds")
"""Row fields the lean JSON leaves to its sidecars (the Parquet table and the page); ``parameters`` too, and
errors are cut to :data:`LEAN_ERROR` characters."""
LEAN_ERROR = 100


def _short(text: str | None) -> str | None:
    return text if text is None or len(text) <= LEAN_ERROR else text[:LEAN_ERROR - 3] + "..."


@dataclass
class AtlasCounts:
    """Rows per verdict, per family and per status."""

    verdict: dict[str, int] = field(default_factory=dict)
    family: dict[str, int] = field(default_factory=dict)
    status: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, rows: list[AtlasRow]) -> "AtlasCounts":
        verdict = Counter(r.verdict for r in rows)
        status = Counter(r.status for r in rows)
        return cls(verdict={v: verdict.get(v, 0) for v in VERDICTS},
                   family=dict(sorted(Counter(r.family for r in rows).items())),
                   status={s: status.get(s, 0) for s in STATUSES})


@register_result
@dataclass
class AtlasResult(Result):
    """The null-space atlas (``kind: "atlas"``): every architecture's row, sorted by name, and the counts."""

    KIND: ClassVar[str] = "atlas"

    weights_note: str
    rows: list[AtlasRow] = field(default_factory=list)
    counts: AtlasCounts = field(default_factory=AtlasCounts)

    def lean_dict(self, keep: tuple[str, ...] = ()) -> dict:
        """The JSON with every row reduced to what differs from its defaults, without the per-model details
        (:data:`LEAN_DETAILS`, except those in ``keep``): the whole zoo in under 200 KB; it loads back with
        :meth:`from_dict` (the details then None).  ``source`` is left out (the architecture's prefix)."""
        data = self.to_dict()
        defaults = to_jsonable(AtlasRow("x:y"))
        drop = set(LEAN_DETAILS) - set(keep) | {"source", "parameters"}
        data["rows"] = [{k: _short(v) if k == "error" else v for k, v in row.items()
                         if k == "architecture" or (k not in drop and v != defaults[k])} for row in data["rows"]]
        return data

    def headline(self) -> str:
        v = self.counts.verdict
        return (f"atlas: {len(self.rows)} architectures; first operator exact {v.get('exact', 0)}, impossible "
                f"{v.get('impossible', 0)}, undetermined {v.get('undetermined', 0)} ({self.weights_note})")

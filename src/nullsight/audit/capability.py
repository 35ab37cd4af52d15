"""The weight null-space audit (seed 000, Table 2) declares itself to nullsight (:mod:`nullsight.capabilities`)."""

from ..capabilities import Capability

CAPABILITY = Capability(
    name="audit",
    title="Weight null-space audit",
    summary="Rank, nullity and structural nullity of every weight, and seed 000's Table 2 counts (nu, mu, sum, W1).",
    package=__package__,
    seed="000",
    results=("nullsight.audit.core", "nullsight.audit.table2"),
    report=("nullsight.audit.report",),
    cli=("nullsight.cli.audit",),
    reference="nullsight.audit.table2:TABLE2",
    fixtures=(
        '$NS audit nullsight:mlp --seed 0 -q -f json -o "$OUT/audit.json"',
        '$NS audit --table2 SqueezeNet --seed 0 -q -f json -o "$OUT/table2.json" --results-dir "$TMP/table2"',
    ),
)

"""One-command reproduction of every seed, with a verdict per claim, declares itself to nullsight."""

from ..capabilities import Capability

CAPABILITY = Capability(
    name="reproduce",
    title="Reproduction",
    summary="Every seed's recipe (train, run, check) in one command, cached and resumable, ending in a claims "
            "table with intervals and verdicts.",
    package=__package__,
    results=("nullsight.reproduce.result",),
    report=("nullsight.reproduce.report",),
    cli=("nullsight.reproduce.cli",),
    fixtures=('$NS reproduce 000 --quick --out-dir "$TMP/reproduce" -q -o "$OUT/claims.json"',),
)

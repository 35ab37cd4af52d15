"""Exact feature collisions (seed 000: Definition 4, Remark 2, Eq. 6, Fig. 5) declare themselves to nullsight."""

from ..capabilities import Capability

CAPABILITY = Capability(
    name="collisions",
    title="Exact feature collisions",
    summary="x_hat = x + P with P in the first operator's null space: the network's output does not move, verified "
            "at fp32 and fp64.",
    package=__package__,
    requires=('reproduce',),
    seed="000",
    results=("nullsight.collisions.result", "nullsight.collisions.fig5"),
    report=("nullsight.collisions.report",),
    cli=("nullsight.cli.collide",),
    recipe="nullsight.collisions.recipe:RECIPE",
    fixtures=(
        '$NS collide "$TMP/mlp.safetensors" --data digits --n 2 --beta 0.3 -q -f json -o "$OUT/collision.json"',
        '$NS collide-sweep "$TMP/mlp.safetensors" --data digits --n 2 --betas 0.1,0.3 --results-dir "$TMP/sweep" -q '
        '-f json -o "$OUT/collision-sweep.json"',
        '$NS collide-fig5 "$TMP/mlp.safetensors" --data digits --n 1 --limit 6 -q -o "$OUT/collision-fig5.json"',
    ),
)

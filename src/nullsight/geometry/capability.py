"""Feature-space geometry of the last hidden layer (seed 002) declares itself to nullsight."""

from ..capabilities import Capability

CAPABILITY = Capability(
    name="geometry",
    title="Feature-space geometry",
    summary="Flip points and margins, the training set's convex hull, ambiguity, detection and inverse mapping.",
    package=__package__,
    requires=('reproduce',),
    seed="002",
    results=("nullsight.geometry.result",),
    report=("nullsight.geometry.report",),
    cli=("nullsight.cli.geometry",),
    recipe="nullsight.geometry.recipe:RECIPE",
    reference="nullsight.geometry.result:PAPER",
    fixtures=(
        '$NS geometry analyze "$TMP/mlp.safetensors" --data digits --n-train 200 --n-test 30 --n-pixel 5 '
        '--n-pixel-train 100 --n-table 2 -q -o "$OUT/geometry.json"',
        '$NS geometry detect "$TMP/mlp.safetensors" --data digits --n 20 --attacks deepfool --steps 5 '
        '-o "$OUT/geometry-detection.json"',
        '$NS geometry inverse "$TMP/mlp.safetensors" --data digits --n 4 --a 0 --b 1 --n-radii 2 --iterations 5 '
        '-o "$OUT/geometry-inverse.json"',
    ),
)

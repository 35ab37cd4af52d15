"""Downsampling kernels and NULA (seed 004) declare themselves to nullsight."""

from ..capabilities import Capability

CAPABILITY = Capability(
    name="sampling",
    title="Downsampling kernels and NULA",
    summary="The kernels of downsampling operators, the checkerboard a model cannot see, and the NULA card's "
            "perturbation table.",
    package=__package__,
    seed="004",
    results=("nullsight.sampling.result", "nullsight.models.classify"),
    report=("nullsight.sampling.report", "nullsight.models.report"),
    cli=("nullsight.cli.sampling", "nullsight.cli.export"),
    recipe="nullsight.sampling.recipe:RECIPE",
    fixtures=(
        '$NS sampling kernels nullsight:nula-w0.125 --size 8 --larger 16 -o "$OUT/sampling-kernels.json"',
        '$NS sampling eval nullsight:nula-w0.125 --data digits --n 8 --n-worst 2 --worst-steps 1 --worst decimate-2 -q '
        '-o "$OUT/sampling-eval.json"',
        '$NS predict "$TMP/nula.safetensors" "$TMP/s.png" --top-k 3 -o "$OUT/predict.json"',
    ),
)

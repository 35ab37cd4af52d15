"""Downsampling kernels and NULA (seed 004) declare themselves to nullsight."""

from ..capabilities import Capability

CAPABILITY = Capability(
    name="sampling",
    title="Downsampling kernels and NULA",
    summary="The kernels of downsampling operators, the checkerboard a model cannot see, and the NULA card's "
            "perturbation table.",
    package=__package__,
    requires=('reproduce', 'train'),
    extends=("nullsight.sampling.augment",),
    seed="004",
    results=("nullsight.sampling.result",),
    report=("nullsight.sampling.report",),
    cli=("nullsight.cli.sampling",),
    recipe="nullsight.sampling.recipe:RECIPE",
    fixtures=(
        '$NS sampling kernels nullsight:nula-w0.125 --size 8 --larger 16 -o "$OUT/sampling-kernels.json"',
        '$NS sampling eval nullsight:nula-w0.125 --data digits --n 8 --n-worst 2 --worst-steps 1 --worst decimate-2 -q '
        '-o "$OUT/sampling-eval.json"',
    ),
)

"""Fourier essential-frequency and adversarial-frequency masks (seed 003) declare themselves to nullsight."""

from ..capabilities import Capability

CAPABILITY = Capability(
    name="masks",
    title="Fourier masks",
    summary="The frequencies a classifier needs (CE + lambda L1 masks), the ones attacks use, and how they correlate.",
    package=__package__,
    requires=('reproduce',),
    seed="003",
    results=("nullsight.masks.result",),
    report=("nullsight.masks.report",),
    cli=("nullsight.cli.masks",),
    recipe="nullsight.masks.recipe:RECIPE",
    reference="nullsight.masks.paper:PAPER",
    fixtures=(
        '$NS masks compute "$TMP/mlp.safetensors" --data digits --n 8 --attacks pgd,deepfool --min-steps 20 '
        '--max-steps 30 --attack-steps 5 --masks-dir "$TMP/masks" -q -o "$OUT/masks.json"',
        '$NS masks correlate "$TMP"/masks/essential.safetensors "$TMP"/masks/pgd*.safetensors --permutations 20 '
        '--ks 2,3 --draws 2 -o "$OUT/masks-correlation.json"',
        '$NS masks class "$TMP/mlp.safetensors" --data digits --train-per-class 4 --test-n 20 --steps 10 -q '
        '-o "$OUT/masks-class.json"',
        '$NS masks robust "$TMP/mlp.safetensors" --data digits --attacks pgd --adaptive pgd --train-per-class 3 '
        '--test-n 10 --steps 5 --attack-steps 3 -q -o "$OUT/masks-robust.json"',
    ),
)

"""Null-space steganography and what the network sees (seed 001) declare themselves to nullsight."""

from ..capabilities import Capability

CAPABILITY = Capability(
    name="stego",
    title="Null-space steganography",
    summary="Hide an image in Null(W1) of an MLP or CNN (S = a1 H_perp + a2 C) and show what the network sees.",
    package=__package__,
    requires=('reproduce', 'train'),
    extends=("nullsight.stego.training_reference",),
    seed="001",
    results=("nullsight.stego.result",),
    report=("nullsight.stego.report",),
    cli=("nullsight.cli.stego",),
    recipe="nullsight.stego.recipe:RECIPE",
    reference="nullsight.stego.paper:PAPER_TRAINING",
    fixtures=(
        '$NS stego eval "$TMP/mlp.safetensors" --cover-data digits --hidden-data digits --n 40 -o "$OUT/stego-eval.json"',
        '$NS stego sees "$TMP/mlp.safetensors" --data digits --n 4 -o "$OUT/stego-sees.json"',
        '$NS stego conv --kernel 3 --size 8 --max-filters 2 -o "$OUT/stego-conv.json"',
        '$NS stego hide "$TMP/mlp.safetensors" --cover digits:0 --hidden digits:5 --image-out "$TMP/s.png" '
        '-o "$OUT/stego-hide.json"',
        '$NS stego reveal "$TMP/mlp.safetensors" "$TMP/s.npy" -o "$OUT/stego-reveal.json"',
        '$NS stego fig1 --resolution 15 -o "$OUT/stego-fig1.json"',
        '$NS stego fig11 "$TMP/mlp.safetensors" "$TMP/mlp-b.safetensors" --data digits --n 4 '
        '-o "$OUT/stego-fig11.json"',
    ),
)

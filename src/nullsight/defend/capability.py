"""Defences against null-space attacks (detect, purify) declare themselves to nullsight."""

from ..capabilities import Capability

CAPABILITY = Capability(
    name="defend",
    title="Detect and purify",
    summary="Flag inputs with unusual null-space energy; purify them by projecting onto what the network sees.",
    package=__package__,
    requires=('collisions', 'stego'),
    results=("nullsight.defend.result",),
    report=("nullsight.defend.report",),
    cli=("nullsight.cli.defend",),
    fixtures=(
        '$NS detect "$TMP/mlp.safetensors" --data digits --n 60 --beta 0.5 -o "$OUT/detect.json"',
        '$NS purify "$TMP/mlp.safetensors" --data digits --n 10 -o "$OUT/purify.json"',
    ),
)

"""Training (seed 001's MLP with rescaled copies, the CIFAR ResNet recipe, NULA) declares itself to nullsight."""

from ..capabilities import Capability

CAPABILITY = Capability(
    name="train",
    title="Training",
    summary="One training loop for every model nullsight trains: seeded, resumable, DDP under torchrun.",
    package=__package__,
    results=("nullsight.train.result",),
    report=("nullsight.train.report",),
    cli=("nullsight.cli.train",),
    fixtures=(
        '$NS train nullsight:mlp-digits --data digits --epochs 20 --lr 3e-3 --seed 0 -q '
        '--out "$TMP/mlp-train.safetensors" --results "$OUT/train.json"',
    ),
)

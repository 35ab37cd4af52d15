"""The null-space atlas (seed 000 over the whole model zoo) declares itself to nullsight (:mod:`nullsight.capabilities`)."""

from ..capabilities import Capability

CAPABILITY = Capability(
    name="atlas",
    title="The null-space atlas",
    summary="Every timm and torchvision architecture: its weights' structural null spaces (Table 2's columns) and "
            "whether its first operator can be collided exactly, with the evidence; on Ray.",
    package=__package__,
    seed="000",
    requires=("audit",),
    results=("nullsight.atlas.result",),
    report=("nullsight.atlas.report",),
    cli=("nullsight.atlas.cli",),
    fixtures=(
        '$NS atlas run --models timm:vit_tiny_patch16_224,torchvision:resnet18 --engine sequential '
        '--store "$TMP/atlas.sqlite" -q',
        '$NS atlas export --store "$TMP/atlas.sqlite" --out-dir "$TMP/atlas" --no-page --full && cp "$TMP/atlas/atlas.json" "$OUT/atlas.json"',
    ),
)

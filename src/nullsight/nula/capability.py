"""NULA's use of a trained checkpoint (seed 004, "Usage"): top-k prediction and the transformers export."""

from ..capabilities import Capability

CAPABILITY = Capability(
    name="nula",
    title="NULA checkpoints: predict and export",
    summary="Top-k labels of a trained checkpoint for image files, and a NULA checkpoint as a transformers "
            "directory that pipeline('image-classification') loads.",
    package=__package__,
    seed="004",
    results=("nullsight.nula.predict",),
    report=("nullsight.nula.report",),
    cli=("nullsight.nula.cli",),
    fixtures=('$NS predict "$TMP/nula.safetensors" "$TMP/s.png" --top-k 3 -o "$OUT/predict.json"',),
)

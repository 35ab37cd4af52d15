"""Report section for ``nullsight predict`` (a checkpoint's top-k labels per image)."""

from __future__ import annotations

from ..report import Section, Table, section_for
from .predict import PredictResult


@section_for(PredictResult)
def predict_sections(results: list[PredictResult]) -> list[Section]:
    sections = []
    for r in results:
        rows = [[p.image, ", ".join(f"{label} ({score:.1%})" for label, score in zip(p.labels, p.scores))] for p in r.predictions]
        sections.append(Section(f"Predictions of {r.model}", PredictResult.KIND,
                                "Images converted to RGB, resized bilinearly to the model's input size, normalised as "
                                "the checkpoint records.", tables=[Table("Top-k labels", ["image", "labels (softmax)"], rows)]))
    return sections

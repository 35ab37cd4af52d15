"""``nullsight predict``: a checkpoint's top-k labels for image files, without transformers (seed 004, "Usage").

Images are converted as the card says (``.convert("RGB")``: gray replicated,
alpha dropped), resized bilinearly to the model's input size and normalised
with the checkpoint's recorded mean/std (NULA: 0.5 / 0.5).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Sequence

import torch

from ..data.images import load_image
from ..errors import InvalidInputError
from ..models.classifier import load_classifier
from ..results import Result, register_result
from .hf_export import class_names


@dataclass
class Prediction:
    image: str
    labels: list[str]
    scores: list[float]


@register_result
@dataclass
class PredictResult(Result):
    KIND: ClassVar[str] = "predict"

    predictions: list[Prediction] = field(default_factory=list)


def predict_images(checkpoint: str, images: Sequence[str | Path], top_k: int = 5, arch: str | None = None) -> PredictResult:
    """Top-``top_k`` (label, softmax score) for each image file."""
    if not images:
        raise InvalidInputError("name at least one image file")
    loaded, norm, _ = load_classifier(checkpoint, arch=arch, what="nula predict")
    if len(loaded.input_size) != 3:
        raise InvalidInputError(f"{checkpoint} takes inputs of shape {loaded.input_size}, not images")
    channels, h, w = loaded.input_size
    pixels = torch.stack([load_image(p, size=(h, w), channels=channels) for p in images])
    with torch.no_grad():
        probs = loaded.module.eval()(norm.to_model(pixels)).softmax(1)
    names = class_names(loaded.extra.get("metadata", {}).get("nullsight.data"), probs.shape[1])
    k = min(top_k, probs.shape[1])
    scores, index = probs.topk(k, dim=1)
    return PredictResult([Prediction(str(p), [names[i] for i in idx.tolist()], s.tolist())
                          for p, idx, s in zip(images, index, scores)], model=checkpoint)

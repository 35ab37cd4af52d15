"""The one input loader: a classifier by name, its input normalisation (one policy) and data at its input size.

Every capability that analyses a classifier on a data set starts here, so that a model named the same way gets
the same module, the same normalisation and the same pixels everywhere.

>>> loaded, norm, batch = load_classifier("nullsight:mlp-digits", "digits", n=4)
>>> tuple(batch.images.shape), norm == Normalization.of(batch.mean, batch.std)
((4, 1, 8, 8), True)
"""

from __future__ import annotations

from typing import NamedTuple, Sequence

import torch

from ..data import DataBatch, load_data
from ..errors import InvalidInputError
from ..normalization import PM1, Normalization
from .zoo import LoadedModel, load_model

FIT_METADATA_KEY = "nullsight.fit"


class Classifier(NamedTuple):
    """What :func:`load_classifier` returns: the model, its input normalisation and the data (None: none asked)."""

    loaded: LoadedModel
    normalization: Normalization
    data: DataBatch | None


def model_normalization(loaded: LoadedModel, data: DataBatch | None = None) -> Normalization:
    """The one normalisation policy: what the checkpoint records it was trained with; else what the architecture
    declares (``INPUT_NORMALIZATION`` on its module: NULA's mean = std = 0.5); else the data set's; else [-1, 1]
    (seed 001's scaling, :data:`~nullsight.normalization.PM1`)."""
    recorded = loaded.normalization()
    if recorded is not None:
        return Normalization.of(*recorded)
    declared = getattr(loaded.module, "INPUT_NORMALIZATION", None)
    if declared is not None:
        return Normalization.of(*declared)
    if data is not None:
        return Normalization.of(data.mean, data.std)
    return PM1


def load_classifier(spec: str, data: str | None = None, *, n: int | None = None, split: str = "test",
                    weights: str = "none", arch: str | None = None, seed: int = 0, shuffle: bool = False,
                    device: torch.device | str = "cpu", input_size: Sequence[int] | None = None,
                    what: str = "this analysis") -> Classifier:
    """The classifier ``spec`` (``weights``: none, default or a checkpoint PATH for a named architecture; ``arch``
    for a bare checkpoint; ``seed`` for random weights), its :func:`model_normalization` and, with ``data``, ``n``
    images of ``split`` at the model's input size (fitted the way its checkpoint was trained: ``nullsight.fit``,
    resize by default; the first ``n``, or a ``seed``-ed random subset if ``shuffle``).

    ``what`` names the caller in the message refusing a model that is not an image classifier.
    """
    loaded = load_model(spec, weights=weights, arch=arch, seed=seed, device=str(device),
                        input_size=tuple(input_size) if input_size is not None else None)
    if loaded.task != "classification":
        raise InvalidInputError(f"{loaded.spec} is a {loaded.task} model; {what} needs a classifier")
    if data is None:
        return Classifier(loaded, model_normalization(loaded), None)
    batch = classifier_data(loaded, data, split=split, n=n, seed=seed, shuffle=shuffle, what=what)
    return Classifier(loaded, model_normalization(loaded, batch), batch)


def classifier_data(loaded: LoadedModel, data: str, *, split: str = "test", n: int | None = None, seed: int = 0,
                    shuffle: bool = False, what: str = "this analysis") -> DataBatch:
    """``n`` images of ``split`` of ``data`` at ``loaded``'s input size, fitted the way its checkpoint was trained
    (``nullsight.fit`` in its metadata; resize where it does not say): a second split for a loaded classifier."""
    if len(loaded.input_size) != 3:
        raise InvalidInputError(f"{loaded.spec} takes inputs of shape {tuple(loaded.input_size)}, not images "
                                f"(C, H, W); {what} needs an image classifier")
    c, h, w = loaded.input_size
    fit = loaded.extra.get("metadata", {}).get(FIT_METADATA_KEY, "resize")
    return load_data(data, split=split, n=n, size=(h, w), channels=c, seed=seed, shuffle=shuffle, fit=fit)

"""The one input loader and its one normalisation policy."""

from __future__ import annotations

import pytest
import torch

from nullsight.data.base import DataBatch
from nullsight.errors import InvalidInputError
from nullsight.models import LoadedModel, load_classifier, model_normalization
from nullsight.models.nula import NULA_MEAN, NULA_STD, nula_from_name
from nullsight.normalization import PM1, Normalization


def _loaded(module: torch.nn.Module, metadata: dict | None = None) -> LoadedModel:
    return LoadedModel("test", module, (3, 32, 32), "test", "none", extra={"metadata": metadata or {}})


def _batch() -> DataBatch:
    return DataBatch("d", torch.zeros(2, 3, 32, 32), torch.zeros(2, dtype=torch.long), (0.1, 0.2, 0.3), (0.4, 0.5, 0.6))


def test_the_policy_in_order():
    plain, nula = torch.nn.Linear(2, 2), nula_from_name("nula-w0.125")
    recorded = {"nullsight.mean": "0.25,0.25,0.25", "nullsight.std": "2,2,2"}
    assert model_normalization(_loaded(nula, recorded), _batch()) == Normalization.of((0.25,) * 3, (2.0,) * 3)
    assert model_normalization(_loaded(nula), _batch()) == Normalization.of(NULA_MEAN, NULA_STD)
    assert model_normalization(_loaded(plain), _batch()) == Normalization.of((0.1, 0.2, 0.3), (0.4, 0.5, 0.6))
    assert model_normalization(_loaded(plain)) == PM1


def test_load_classifier_returns_model_normalisation_and_data_at_its_size():
    loaded, norm, batch = load_classifier("nullsight:mlp-digits", "digits", n=5)
    assert tuple(batch.images.shape) == (5, 1, 8, 8) and norm == Normalization.of(batch.mean, batch.std)
    assert load_classifier("nullsight:mlp-digits").data is None


def test_a_model_that_takes_no_images_is_refused_with_data(tmp_path):
    with pytest.raises(InvalidInputError, match="not images"):
        load_classifier("nullsight:mlp-digits", "digits", input_size=(64,), what="the test")

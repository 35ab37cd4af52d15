"""Shared fixtures: a small MLP trained on sklearn's digits with seed 001's recipe (seconds, cached per session)."""

import pytest

from nullsight.train import TrainConfig
from nullsight.train.runner import train_run


@pytest.fixture(scope="session")
def digits_mlp(tmp_path_factory):
    """Path of an ``nullsight:mlp-digits`` checkpoint trained with rescaled (0.2x) copies, and its result."""
    path = tmp_path_factory.mktemp("models") / "mlp-digits.safetensors"
    result = train_run("nullsight:mlp-digits", "digits", TrainConfig(epochs=60, batch_size=64, lr=3e-3, rescale=[0.2]), out=path)
    return path, result

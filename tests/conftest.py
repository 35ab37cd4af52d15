"""Shared fixtures: a small MLP trained on sklearn's digits with seed 001's recipe (seconds, cached per session)."""

import pytest

from nullsight.train import TrainConfig
from nullsight.train.runner import train_run


@pytest.fixture(scope="session")
def digits_mlp(tmp_path_factory):
    """Path of an ``nullsight:mlp-digits`` checkpoint trained with rescaled (0.2x) copies, and its result."""
    path = tmp_path_factory.mktemp("models") / "mlp-digits.safetensors"
    result = train_run("nullsight:mlp-digits", "digits", config=TrainConfig(epochs=60, batch_size=64, lr=3e-3, rescale=[0.2]),
                       out=path)
    return path, result


# Hypothesis's per-example deadline is a timing assertion: on a busy machine (CI beside two training runs) a
# first call that imports scipy can take a second. Tests assert behaviour, never speed.
from hypothesis import settings as _hypothesis_settings  # noqa: E402

_hypothesis_settings.register_profile("nullsight", deadline=None)
_hypothesis_settings.load_profile("nullsight")

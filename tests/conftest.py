"""Shared fixtures: a small MLP trained on sklearn's digits with seed 001's recipe (seconds, cached per session)."""

import shutil

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


@pytest.fixture(scope="session")
def browser_launch():
    """``(sync_playwright, launch)``: Playwright's sync API and a function starting Debian's chromium headless in it
    (Playwright's own browser download is not needed); skips with the reason where either is missing."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed: pip install playwright")
    executable = next((found for name in ("chromium", "chromium-browser", "google-chrome") if (found := shutil.which(name))), None)
    if executable is None:
        pytest.skip("no chromium on PATH (apt-get install chromium): the browser checks did not run")
    return sync_api.sync_playwright, lambda pw: pw.chromium.launch(executable_path=executable,
                                                                     args=["--no-sandbox", "--disable-gpu"])


@pytest.fixture
def recording_downsample():
    """The name of a downsampling layer registered for tests, and the channel counts its builder was called with.

    Registered once per process (the registry refuses a name twice; a test run twice in one process finds it)."""
    from torch import nn

    from nullsight.layers.factory import DOWNSAMPLE_LAYERS

    name = "test-records-channels"
    if name not in DOWNSAMPLE_LAYERS:
        seen: list[int] = []
        builder = lambda channels: seen.append(channels) or nn.Identity()
        builder.seen = seen
        DOWNSAMPLE_LAYERS.register(name)(builder)
    return name, DOWNSAMPLE_LAYERS.get(name).seen

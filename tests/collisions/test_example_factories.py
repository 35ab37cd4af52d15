"""The README's own-model factories (examples/) collide from arrays of inputs, or say in one line why not."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from nullsight.cli import main

ROOT = Path(__file__).parents[2]


@pytest.fixture(autouse=True)
def _examples_importable(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT))
    yield
    for name in [m for m in sys.modules if m.startswith("examples")]:
        sys.modules.pop(name)


def collide_npy(tmp_path, capsys, factory, shape):
    np.save(tmp_path / "x.npy", np.random.default_rng(0).normal(size=shape))
    code = main(["collide", factory, "--input", str(tmp_path / "x.npy"), "--n", str(shape[0]), "--beta", "0.5", "-f", "json"])
    return code, json.loads(capsys.readouterr().out)


def test_conv1d_net_collides_exactly_from_npy(tmp_path, capsys):
    code, data = collide_npy(tmp_path, capsys, "examples.conv1d_net:build", (6, 1, 64))
    assert code == 0 and data["exact"] and data["max_rel_diff_fp64"] <= 1e-9 and data["modality"] == "signal"
    assert data["first_layer"]["method"] == "patchify" and data["null_dim"] == 2 and data["n_images"] == 6


def test_tabular_mlp_without_null_space_gets_the_honest_answer(tmp_path, capsys):
    code, data = collide_npy(tmp_path, capsys, "examples.tabular_mlp:build", (6, 20))
    assert code == 0 and not data["exact"] and data["null_dim"] == 0 and data["modality"] == "vector"
    assert "no exact collision exists" in data["message"]


def test_lstm_encoder_gets_the_honest_answer(tmp_path, capsys):
    """Its W_ih is 64 x 6 (four gates of 16 over 6 features): full column rank, so no step can hide anything."""
    np.save(tmp_path / "x.npy", np.zeros((2, 12, 6)))
    code = main(["collide", "examples.lstm_encoder:build", "--input", str(tmp_path / "x.npy"), "-q", "-f", "json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["null_dim"] == 0 and not data["exact"]
    assert data["first_layer"]["type"] == "LSTM" and "no exact collision exists through lstm" in data["message"]

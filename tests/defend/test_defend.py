"""Detection by null-space energy and purification onto the row space, on the digits MLP (seed 001's recipe)."""

import json

import numpy as np
import pytest
import torch

from nullsight.cli import main
from nullsight.collisions import NullSpaceSearch
from nullsight.defend.energy import null_energy, purify
from nullsight.defend.runner import roc


def test_roc_is_oriented_and_perfect_for_separated_scores():
    auc, tpr, threshold, direction = roc(np.linspace(0, 1, 100), np.linspace(2, 3, 50))
    assert (auc, tpr, direction) == (1.0, 1.0, "higher") and 0.98 < threshold < 1.0
    auc, tpr, _, direction = roc(np.linspace(2, 3, 100), np.linspace(0, 1, 50))
    assert (auc, tpr, direction) == (1.0, 1.0, "lower")


def test_purified_inputs_keep_the_features_exactly():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3)).eval()
    search = NullSpaceSearch(model, [0.5], [0.5], (1, 8, 8))
    x = torch.rand(5, 1, 8, 8, dtype=torch.float64)
    pure = purify(search, x)
    w = model[1].weight.double() / 0.5
    assert torch.allclose(pure.flatten(1) @ w.T, x.flatten(1) @ w.T, atol=1e-12)
    assert float(null_energy(search, pure).share.max()) < 1e-20
    assert float(null_energy(search, x).share.min()) > 0.5  # 56 of 64 dimensions are invisible


def test_cli_detect_and_purify(digits_mlp, capsys, tmp_path):
    path, _ = digits_mlp
    aucs = {}
    for beta in ("0.05", "0.5"):
        assert main(["detect", str(path), "--data", "digits", "--n", "200", "--beta", beta]) == 0
        data = json.loads(capsys.readouterr().out)
        by = {d["attack"]: d for d in data["detections"]}
        assert set(by) == {"collision", "stego"} and data["null_dim"] == 32
        assert by["stego"]["roc_auc"] > 0.95 and by["stego"]["direction"] == "higher"  # the visible part shrinks
        aucs[beta] = by["collision"]["roc_auc"]
    assert aucs["0.5"] > 0.9 and aucs["0.05"] < aucs["0.5"]  # small collisions hide in natural null-space energy
    npy = tmp_path / "pure.npy"
    assert main(["purify", str(path), "--data", "digits", "--n", "20", "--save", str(npy)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["exact"] and data["same_top1_fraction"] == 1.0 and data["hash_changed_fraction"] > 0.9
    assert np.load(npy).shape == (20, 1, 8, 8)

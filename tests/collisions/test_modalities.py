"""Seed 000's search is task-agnostic: tabular vectors, 1-D signals and images go through one verified path."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from torch import nn

from nullsight.cli import main
from nullsight.collisions import NullSpaceSearch
from nullsight.collisions.runner import record
from nullsight.errors import InvalidInputError


def tabular() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(250, 32), nn.ReLU(), nn.Linear(32, 3)).eval()


def signal_net(stride: int, kernel: int, padding: int = 0) -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv1d(2, 4, kernel, stride, padding), nn.ReLU(), nn.Flatten(), nn.LazyLinear(5)).eval()


def test_tabular_vectors_collide_exactly_without_pixel_steps():
    x = torch.randn(4, 250, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    search = NullSpaceSearch(tabular(), None, None, (250,), beta=0.5)
    result = record(search, search(x))
    assert result.modality == "vector" and result.null_dim == 250 - 32 and result.exact
    assert result.max_rel_diff_fp64 <= 1e-9 and result.linf == pytest.approx(0.5)
    assert result.psnr is None and result.ssim is None and result.preview is None and result.robustness is None


def test_bounds_give_clip_recheck_but_no_png():
    x = torch.rand(2, 250, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    search = NullSpaceSearch(tabular(), None, None, (250,), beta=0.01, bounds=(-1.0, 2.0))
    result = record(search, search(x))
    assert result.robustness is not None and result.robustness.png8 is None and result.robustness.bounds == [-1.0, 2.0]


@pytest.mark.parametrize("stride, kernel, padding, exact", [(4, 4, 0, True), (2, 5, 0, True), (1, 3, 1, False)])
def test_signals_through_conv1d(stride, kernel, padding, exact):
    model = signal_net(stride, kernel, padding)
    model(torch.zeros(1, 2, 64))  # materialise the lazy head
    x = torch.randn(3, 2, 64, dtype=torch.float64, generator=torch.Generator().manual_seed(3))
    search = NullSpaceSearch(model, None, None, (2, 64), beta=0.2)
    result = record(search, search(x))
    assert result.modality == "signal"
    assert result.exact is exact
    if exact:
        assert result.null_dim > 0 and result.max_rel_diff_fp64 <= 1e-9
    else:  # an overlapping, zero-padded 3-tap filter bank of 4 on 2 channels: the honest answer, with its evidence
        assert "no exact collision exists" in result.message


def test_wrong_shape_message_does_not_contradict_itself():
    search = NullSpaceSearch(tabular(), None, None, (250,))
    with pytest.raises(InvalidInputError, match=r"the vector is 3 but the model takes 250"):
        search(torch.rand(4, 3))


def test_cli_collides_a_tabular_model_from_npy_and_csv(tmp_path, capsys, monkeypatch):
    module = tmp_path / "tab_model.py"
    module.write_text("import torch\nfrom torch import nn\n\ndef build():\n    torch.manual_seed(0)\n"
                      "    m = nn.Sequential(nn.Linear(250, 32), nn.ReLU(), nn.Linear(32, 3))\n"
                      "    m.input_size = (250,)\n    return m\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    x = np.random.default_rng(0).normal(size=(5, 250))
    np.save(tmp_path / "x.npy", x)
    np.savetxt(tmp_path / "x.csv", x, delimiter=",")
    for name in ("x.npy", "x.csv"):
        code = main(["collide", "tab_model:build", "--input", str(tmp_path / name), "--n", "5", "--beta", "1.0", "-f", "json"])
        data = json.loads(capsys.readouterr().out)
        assert code == 0 and data["modality"] == "vector" and data["exact"] and data["n_images"] == 5
        assert data["max_rel_diff_fp64"] <= 1e-9 and data["first_layer"]["method"] == "fc"


def test_cli_bad_array_is_one_line(tmp_path, capsys, monkeypatch):
    module = tmp_path / "tab_model2.py"
    module.write_text("from torch import nn\n\ndef build():\n    m = nn.Linear(10, 2)\n    m.input_size = (10,)\n    return m\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    np.save(tmp_path / "bad.npy", np.ones((3, 7)))
    assert main(["collide", "tab_model2:build", "--input", str(tmp_path / "bad.npy")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "takes inputs of shape (10,)" in err

"""Hide / reveal round trip on a small trained model, through the CLI, and the errors for bad input."""

import json

import numpy as np
import pytest
import torch

from nullsight.cli import main
from nullsight.errors import InvalidInputError
from nullsight.models import load_model
from nullsight.normalization import PM1
from nullsight.imaging import largest_step
from nullsight.stego.hide import hide
from nullsight.stego.projector import NullSpaceProjector


def test_trained_model_is_accurate_on_original_and_rescaled(digits_mlp):
    _, result = digits_mlp
    assert result.metrics["test_original"].accuracy > 0.9
    assert result.metrics["test_rescaled"].accuracy > 0.85


def test_hide_reveal_round_trip(digits_mlp, tmp_path, capsys):
    path, _ = digits_mlp
    png = tmp_path / "s.png"
    assert main(["stego", "hide", str(path), "--cover", "digits:0", "--hidden", "digits:5", "--image-out", str(png)]) == 0
    hidden = json.loads(capsys.readouterr().out)
    assert png.exists() and png.with_suffix(".npy").exists()
    assert hidden["in_range"] and 0 < hidden["alpha2"] <= 1 and hidden["null_dim"] == 64 - 32
    stego = np.load(png.with_suffix(".npy"))
    assert stego.min() >= -1 - 1e-6 and stego.max() <= 1 + 1e-6
    assert main(["stego", "reveal", str(path), str(png.with_suffix(".npy"))]) == 0
    revealed = json.loads(capsys.readouterr().out)
    assert revealed["prediction"] == hidden["prediction"] == revealed["row_space_prediction"]


def test_stego_prediction_is_the_scaled_hidden_prediction(digits_mlp):
    loaded = load_model(str(digits_mlp[0]))
    proj = NullSpaceProjector.from_model(loaded.module, loaded.example_input())
    g = torch.Generator().manual_seed(0)
    cover, hidden = PM1.to_model(torch.rand(32, 1, 8, 8, generator=g)), PM1.to_model(torch.rand(32, 1, 8, 8, generator=g))
    made = hide(cover, hidden, proj)
    with torch.no_grad():
        diff = (loaded.module(made.stego) - loaded.module(0.2 * hidden)).abs().max()
    assert diff < 1e-5 and bool(made.in_range.all())


def test_largest_step_is_tight_capped_and_zero_outside_the_box():
    base = torch.tensor([[0.5, -0.5]])
    direction = torch.tensor([[1.0, 1.0]])
    assert float(largest_step(base, direction, -1.0, 1.0)[0]) == pytest.approx(0.5)
    assert float(largest_step(base, 0.01 * direction, -1.0, 1.0, cap=1.0)[0]) == 1.0
    assert float(largest_step(torch.tensor([[1.5, 0.0]]), direction, -1.0, 1.0)[0]) == 0.0


def test_exception_on_bad_pairs(digits_mlp):
    proj = NullSpaceProjector.from_weight(torch.randn(4, 64))
    with pytest.raises(InvalidInputError, match="differ in size"):
        hide(torch.zeros(1, 1, 8, 8), torch.zeros(1, 1, 28, 28), proj)
    with pytest.raises(InvalidInputError, match="outside the input range"):
        hide(torch.full((1, 1, 8, 8), 3.0), torch.zeros(1, 1, 8, 8), proj)


def test_exception_on_a_convolutional_first_layer(capsys):
    code = main(["stego", "sees", "torchvision:squeezenet1_1", "--data", "digits"])
    err = capsys.readouterr().err
    assert code != 0 and "fully connected first layer" in err and err.count("\n") == 1

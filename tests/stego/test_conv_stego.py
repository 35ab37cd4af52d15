"""Steganography through a convolutional first layer (seed 001, App. B): Null of a valid 3x3 convolution."""

import json

import numpy as np

import pytest
import torch
from hypothesis import given, settings, strategies as st

from nullsight.cli import main
from nullsight.errors import InvalidInputError
from nullsight.models import load_model
from nullsight.models.cnn_stego import CNNStego
from nullsight.normalization import PM1
from nullsight.stego.hide import hide
from nullsight.stego.projector import NullSpaceProjector


@settings(max_examples=4, deadline=None)
@given(seed=st.integers(0, 10_000), filters=st.sampled_from([1, 2]))
def test_conv_null_space_is_the_paper_dimension_and_invisible(seed, filters):
    torch.manual_seed(seed)
    model = CNNStego(filters).eval()
    projector = NullSpaceProjector.from_model(model, torch.rand(1, 1, 28, 28))
    assert projector.dim == {1: 108, 2: 8}[filters]  # 784 - 676; 784 - 776 (App. B)
    assert projector.residual() < 1e-10
    x = PM1.to_model(torch.rand(3, 1, 28, 28, generator=torch.Generator().manual_seed(seed))).double()
    conv = model.conv.double()
    with torch.no_grad():
        seen = conv(projector.row_part(x)) - conv.bias.view(1, -1, 1, 1)
        direct = conv(x) - conv.bias.view(1, -1, 1, 1)
    assert float((seen - direct).abs().max()) < 1e-10 and float(projector.null_part(x).norm()) > 0


def test_stego_through_the_convolution_reads_as_the_scaled_hidden_image():
    torch.manual_seed(0)
    model = CNNStego(1).double().eval()
    projector = NullSpaceProjector.from_model(model, torch.rand(1, 1, 28, 28, dtype=torch.float64))
    g = torch.Generator().manual_seed(1)
    cover, hidden = (PM1.to_model(torch.rand(4, 1, 28, 28, generator=g, dtype=torch.float64)) for _ in range(2))
    made = hide(cover, hidden, projector, alpha1=0.2)
    with torch.no_grad():
        diff = float((model(made.stego) - model(0.2 * hidden)).abs().max())
    assert diff < 1e-12 and bool(made.in_range.all())


def test_transformed_input_to_the_convolution_is_refused():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Upsample(scale_factor=2), torch.nn.Conv2d(1, 1, 3), torch.nn.Flatten()).eval()
    with pytest.raises(InvalidInputError, match="unchanged"):
        NullSpaceProjector.from_model(model, torch.rand(1, 1, 8, 8))


def test_registered_and_cli_hide_reveal(tmp_path, capsys):
    assert load_model("nullsight:cnn-stego").input_size == (1, 28, 28)
    out = tmp_path / "s.png"
    from PIL import Image

    rng = np.random.default_rng(0)
    for name in ("cover", "hidden"):  # 28x28 grey images: no data set needs to be fetched
        Image.fromarray((rng.random((28, 28)) * 255).astype(np.uint8), mode="L").save(tmp_path / f"{name}.png")
    assert main(["stego", "hide", "nullsight:cnn-stego", "--cover", str(tmp_path / "cover.png"),
                 "--hidden", str(tmp_path / "hidden.png"), "--image-out", str(out)]) == 0
    hidden = json.loads(capsys.readouterr().out)
    assert hidden["null_dim"] == 108 and hidden["in_range"]
    assert main(["stego", "reveal", "nullsight:cnn-stego", str(out.with_suffix(".npy"))]) == 0
    revealed = json.loads(capsys.readouterr().out)
    assert revealed["prediction"] == revealed["row_space_prediction"] == hidden["prediction"]

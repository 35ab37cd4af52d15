import pytest
import torch

from nullsight.layers import SqueezeExcite, se_bottleneck


@pytest.mark.parametrize("channels,hidden", [(512, 32), (128, 8), (16, 1), (8, 1), (1, 1)])
def test_bottleneck(channels, hidden):
    assert se_bottleneck(channels) == hidden
    assert SqueezeExcite(channels).fc1.out_channels == hidden


def test_gates_rescale_channels():
    torch.manual_seed(0)
    se = SqueezeExcite(32)
    x = torch.rand(2, 32, 5, 5)
    s = se.gates(x)
    assert s.shape == (2, 32, 1, 1) and bool(((s > 0) & (s < 1)).all())
    assert torch.allclose(se(x), x * s)


def test_parameter_count():
    c, r = 256, 16
    assert sum(p.numel() for p in SqueezeExcite(c).parameters()) == 2 * c * (c // r) + c // r + c


def test_the_reduction_is_the_one_given():
    assert SqueezeExcite(64, reduction=4).fc1.out_channels == se_bottleneck(64, 4) == 16

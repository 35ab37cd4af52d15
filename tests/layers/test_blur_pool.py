import pytest
import torch

from nullsight.layers import BlurPool2d, binomial_kernel, blur_pool2d

TOL = {torch.float32: 1e-6, torch.float64: 1e-12}


def test_kernel_is_normalised_binomial():
    expected = torch.tensor([1.0, 2.0, 1.0], dtype=torch.float64)
    assert torch.allclose(binomial_kernel(3, torch.float64), torch.outer(expected, expected) / 16)
    assert binomial_kernel(5, torch.float64).sum().item() == pytest.approx(1.0)


@pytest.mark.parametrize("size,out", [(32, 16), (31, 16), (8, 4)])
def test_cardinality(size, out):
    assert BlurPool2d()(torch.rand(2, 5, size, size)).shape == (2, 5, out, out)


def test_kernel_buffer_not_in_checkpoint():
    module = BlurPool2d()
    assert "kernel" not in module.state_dict()
    assert list(module.parameters()) == []


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_module_matches_function_and_keeps_dtype(dtype):
    x = torch.rand(2, 3, 16, 16, dtype=dtype)
    y = BlurPool2d()(x)
    assert y.dtype == dtype
    assert torch.allclose(y, blur_pool2d(x), atol=TOL[dtype])


def test_depthwise_no_channel_mixing():
    x = torch.zeros(1, 3, 8, 8)
    x[0, 1] = torch.rand(8, 8)
    y = blur_pool2d(x)
    assert y[0, 0].abs().max() == 0 and y[0, 2].abs().max() == 0


def test_checkerboard_annihilated_constants_kept():
    i = torch.arange(32)
    board = (1 - 2 * ((i[:, None] + i[None]) % 2)).double()[None, None]
    assert blur_pool2d(board).abs().max() < 1e-15
    assert torch.allclose(blur_pool2d(torch.full((1, 1, 32, 32), 0.7, dtype=torch.float64)), torch.tensor(0.7, dtype=torch.float64))


def test_gradcheck():
    x = torch.rand(1, 2, 6, 6, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(blur_pool2d, (x,))


def test_exception():
    with pytest.raises(ValueError, match="B, C, H, W"):
        blur_pool2d(torch.rand(3, 8, 8))


def test_one_tap_is_the_identity_filter_and_zero_taps_fail():
    assert torch.equal(binomial_kernel(1, torch.float64), torch.ones(1, 1, dtype=torch.float64))
    with pytest.raises(ValueError, match="at least one tap, got 0"):
        binomial_kernel(0)


def test_long_kernels_are_the_exact_binomial_in_float64():
    """Pascal's row is built in float64: at 30 taps C(29, 14) = 77,558,760 is past float32's exact integers."""
    import math

    taps = 30
    row = torch.tensor([math.comb(taps - 1, k) for k in range(taps)], dtype=torch.float64)
    expected = torch.outer(row, row) / row.sum() ** 2
    assert torch.allclose(binomial_kernel(taps, torch.float64), expected, rtol=1e-14, atol=0)


@pytest.mark.parametrize("taps,pads", [(2, (0, 1)), (4, (1, 2)), (5, (2, 2))])
def test_a_given_kernel_is_used_and_padded_to_keep_the_size(taps, pads):
    """Any (taps, taps) kernel: padded (taps-1)//2 before and taps//2 after, so stride 1 keeps H x W, and the
    output is the plain depthwise convolution of the reflect-padded input."""
    from torch.nn import functional as F

    kernel = torch.rand(taps, taps, dtype=torch.float64)
    x = torch.rand(2, 3, 9, 9, dtype=torch.float64)
    y = blur_pool2d(x, kernel, stride=1)
    assert y.shape == x.shape
    lo, hi = pads
    padded = F.pad(x, (lo, hi, lo, hi), mode="reflect")
    expected = F.conv2d(padded, kernel.expand(3, 1, taps, taps), groups=3)
    assert torch.allclose(y, expected, atol=1e-14)


@pytest.mark.parametrize("taps,stride", [(5, 2), (3, 1)])
def test_module_uses_its_own_taps_and_stride(taps, stride):
    x = torch.rand(1, 2, 12, 12, dtype=torch.float64)
    module = BlurPool2d(taps=taps, stride=stride).double()
    assert torch.allclose(module(x), blur_pool2d(x, binomial_kernel(taps, torch.float64), stride), atol=1e-14)
    assert module(x).shape[-1] == 12 // stride

"""Null-space search on small random models: one per kind of first layer, and the honest negative."""

import pytest
import torch
from torch import nn

from nullsight.collisions.runner import record
from nullsight.collisions import NullSpaceSearch, periodic_spectrum
from nullsight.collisions.conv_null import conv_adjoint, conv_apply, null_space_for
from nullsight.collisions.first_layer import find_first_layer
from nullsight.collisions.pixel import PixelSpace
from nullsight.errors import InvalidInputError
from nullsight.linalg import default_rtol


def models():
    torch.manual_seed(0)
    return {
        "fc": (nn.Sequential(nn.Flatten(), nn.Linear(784, 32), nn.ReLU(), nn.Linear(32, 10)), (1, 28, 28), 752),
        "patchify": (nn.Sequential(nn.Conv2d(3, 8, 4, 4), nn.ReLU(), nn.Flatten(), nn.Linear(128, 10)), (3, 16, 16), 40),
        "conv-operator": (nn.Sequential(nn.Conv2d(1, 1, 3), nn.Tanh(), nn.Flatten(), nn.Linear(676, 10)), (1, 28, 28), 108),
    }


def run(search, x):
    return record(search, search(x))


def images(size, n=2, seed=1):
    return 0.25 + 0.5 * torch.rand(n, *size, generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize("method", ["fc", "patchify", "conv-operator"])
def test_exact_collision(method):
    model, size, dim = models()[method]
    result = run(NullSpaceSearch(model, [0.5] * size[0], [0.25] * size[0], size, beta=0.1), images(size))
    assert (result.method, result.null_dim) == (method, dim)
    assert result.exact and result.max_rel_diff_fp64 <= 1e-12 and result.same_top1
    assert result.max_rel_diff < 1e-5  # fp32 rounding only
    assert result.first_collision_layer == "0" if method != "fc" else result.first_collision_layer == "1"
    assert float((result.x_hat - result.x).abs().max()) == pytest.approx(0.1)  # beta is the L-inf size
    # an independent check: the features of the first layer really coincide
    layer = model[0] if method != "fc" else model[1]
    norm = lambda t: ((t - 0.5) / 0.25).reshape(t.shape[0], -1) if method == "fc" else (t - 0.5) / 0.25
    with torch.no_grad():
        a, b = layer.double()(norm(result.x)), layer.double()(norm(result.x_hat))
    layer.float()
    assert float((a - b).abs().max()) < 1e-12


def test_overlapping_conv_says_no_exact_collision():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 28 * 28, 10))
    result = run(NullSpaceSearch(model, [0.5], [0.25], (1, 28, 28), beta=0.1), images((1, 28, 28)))
    assert result.method == "conv-operator" and result.null_dim == 0
    assert not result.exact and result.max_rel_diff_fp64 > 1e-3
    assert "no exact collision exists" in result.message and "tiled-phi" in result.message
    assert result.first_collision_layer is None and result.layers[0].max_rel_diff_fp64 > 1e-3


def test_trivial_weight_null_space():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(3, 48, 4, 4), nn.Flatten(), nn.Linear(48 * 16, 10))  # 48 x 48: full rank
    result = run(NullSpaceSearch(model, [0.5] * 3, [0.25] * 3, (3, 16, 16)), images((3, 16, 16)))
    assert result.null_dim == 0 and not result.exact and result.max_abs_diff is None
    assert "no exact collision exists" in result.message


def test_per_patch_region():
    model, size, _ = models()["patchify"]
    search = NullSpaceSearch(model, [0.5] * 3, [0.25] * 3, size, beta=0.2, per_patch=True, region=(0, 0, 8, 8))
    result = run(search, images(size))
    assert result.exact
    p = result.perturbation[0]
    assert float(p[:, 8:, :].abs().max()) == 0 and float(p[:, :, 8:].abs().max()) == 0
    assert not torch.allclose(p[:, :4, :4], p[:, :4, 4:8])  # a different phi per patch


def test_box_variant_stays_in_range_and_exact():
    model, size, _ = models()["fc"]
    result = run(NullSpaceSearch(model, [0.5], [0.25], size, beta=0.6, box=True), images(size))
    assert result.exact and float(result.x_hat.min()) >= 0 and float(result.x_hat.max()) <= 1
    assert result.robustness.constrained.linf[0] > 0.3


def test_box_saturation_error():
    model, size, _ = models()["fc"]
    x = torch.zeros(1, *size)
    x[..., ::2] = 1.0
    search = NullSpaceSearch(model, [0.5], [0.25], size, beta=1e6, box=True, basis=0)
    with pytest.raises(InvalidInputError, match="out of"):
        search(x)


@pytest.mark.parametrize("bad, match", [(torch.rand(1, 3, 28, 28), "takes 1x28x28"), (torch.full((1, 1, 28, 28), float("nan")), "NaN"),
                                        (torch.rand(1, 28, 28), "expected a batch of images of shape")])
def test_exception_bad_images(bad, match):
    model, size, _ = models()["fc"]
    with pytest.raises(InvalidInputError, match=match):
        NullSpaceSearch(model, [0.5], [0.25], size)(bad)


def test_exception_first_operator_not_linear():
    model = nn.Sequential(nn.Tanh(), nn.Flatten(), nn.Linear(784, 10))
    with pytest.raises(InvalidInputError, match="transformed"):
        run(NullSpaceSearch(model, [0.5], [0.25], (1, 28, 28)), images((1, 28, 28)))


def test_periodic_spectrum_matches_dense_circular_operator():
    torch.manual_seed(0)
    model = PixelSpace(nn.Sequential(nn.Conv2d(3, 8, 3, stride=2, padding=1)), [0.0] * 3, [1.0] * 3)
    first = find_first_layer(model, (3, 16, 16))
    spec = periodic_spectrum(first, default_rtol((8, 27), torch.float32))
    n = 3 * 16 * 16
    eye = torch.eye(n, dtype=torch.float64).reshape(n, 3, 16, 16)
    dense = torch.nn.functional.conv2d(torch.nn.functional.pad(eye, (1, 1, 1, 1), mode="circular"), first.weight, stride=2)
    sigma = torch.linalg.svdvals(dense.reshape(n, -1).T)
    assert spec.sigma_max == pytest.approx(float(sigma[0]), rel=1e-12)
    assert spec.nullity == n - int((sigma > spec.tolerance).sum()) == 256


def test_adjoint_and_matrix_free_estimate():
    torch.manual_seed(0)
    model = PixelSpace(nn.Sequential(nn.Conv2d(3, 16, 3, stride=2, padding=1)), [0.0] * 3, [1.0] * 3)
    first = find_first_layer(model, (3, 24, 24))
    x, y = torch.randn(2, 3 * 24 * 24, dtype=torch.float64), torch.randn(2, 16 * 12 * 12, dtype=torch.float64)
    assert float((conv_apply(first, x) * y).sum()) == pytest.approx(float((x * conv_adjoint(first, y)).sum()), rel=1e-10)
    dense = null_space_for(first, dense_limit=10**6)
    free = null_space_for(first, dense_limit=0, lobpcg_iters=60)
    assert dense.dim == free.dim == 0 and dense.certified and not free.certified
    assert free.sigma_min >= dense.sigma_min * (1 - 1e-6)  # Ritz values bound sigma_min from above

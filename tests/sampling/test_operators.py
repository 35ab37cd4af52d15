"""Downsampling operators: separable factors against the dense matrix, linearity and constants (hypothesis)."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from nullsight.errors import InvalidInputError
from nullsight.sampling.operators import DOWNSAMPLERS, decimate, dense_matrix, factor_matrix

NAMES = DOWNSAMPLERS.names()


@pytest.mark.parametrize("name", NAMES)
def test_kronecker_of_factor_is_the_dense_operator(name):
    op = DOWNSAMPLERS.get(name)
    a = factor_matrix(op, 16)
    assert torch.allclose(torch.kron(a, a), dense_matrix(op, (16, 16)), atol=1e-14)


@pytest.mark.parametrize("name", NAMES)
def test_cardinality_and_roundtrip(name):
    op = DOWNSAMPLERS.get(name)
    x = torch.rand(2, 3, 32, 32)
    assert op.down(x).shape == (2, 3, *op.output_size((32, 32)))
    assert op.roundtrip(x).shape == x.shape


@settings(max_examples=20, deadline=None)
@given(name=st.sampled_from(NAMES), a=st.floats(-3, 3), b=st.floats(-3, 3), seed=st.integers(0, 2**16))
def test_linear_and_keeps_constants(name, a, b, seed):
    op = DOWNSAMPLERS.get(name)
    g = torch.Generator().manual_seed(seed)
    x, y = torch.rand(1, 1, 16, 16, generator=g, dtype=torch.float64), torch.rand(1, 1, 16, 16, generator=g, dtype=torch.float64)
    assert torch.allclose(op.down(a * x + b * y), a * op.down(x) + b * op.down(y), atol=1e-12)
    assert torch.allclose(op.down(torch.full((1, 1, 16, 16), a, dtype=torch.float64)), torch.tensor(a, dtype=torch.float64), atol=1e-12)


def test_decimation_keeps_every_other_pixel():
    x = torch.arange(16.0).reshape(1, 1, 4, 4)
    assert torch.equal(decimate(x), x[..., ::2, ::2])


def test_exception():
    with pytest.raises(InvalidInputError, match="B, C, H, W"):
        DOWNSAMPLERS.get("resize-0.5").roundtrip(torch.rand(32, 32))
    with pytest.raises(InvalidInputError, match="did you mean"):
        DOWNSAMPLERS.get("decimate2")

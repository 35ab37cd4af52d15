"""ker(D): the matrix-free separable path against the dense fp64 SVD reference, for every registered operator."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from nullsight.sampling.kernels import dense_kernel, kernel_dense_projector, separable_kernel
from nullsight.sampling.operators import DOWNSAMPLERS

NAMES = DOWNSAMPLERS.names()


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("size", [16, 32])
def test_kernel_dimension_matches_dense_reference(name, size):
    op = DOWNSAMPLERS.get(name)
    fast, ref = separable_kernel(op, size), dense_kernel(op, size)
    assert (fast.rank, fast.nullity) == (ref.rank, ref.nullity)
    assert fast.nullity >= fast.n - fast.m  # the card's bound n - m
    projector = kernel_dense_projector(fast)
    assert torch.allclose(projector, ref.basis @ ref.basis.T, atol=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_basis_is_orthonormal_and_annihilated(name):
    op = DOWNSAMPLERS.get(name)
    k = separable_kernel(op, 16)
    basis = k.basis_images()
    assert basis.shape == (k.nullity, 16, 16)
    flat = basis.reshape(k.nullity, -1)
    assert torch.allclose(flat @ flat.T, torch.eye(k.nullity, dtype=torch.float64), atol=1e-12)
    assert op.down(basis[:, None]).abs().max() < 1e-12


@settings(max_examples=15, deadline=None)
@given(name=st.sampled_from(NAMES), seed=st.integers(0, 2**16))
def test_projector_is_idempotent_and_lands_in_the_kernel(name, seed):
    op = DOWNSAMPLERS.get(name)
    k = separable_kernel(op, 24)
    x = torch.randn(2, 3, 24, 24, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    p = k.project(x)
    assert torch.allclose(k.project(p), p, atol=1e-12)
    assert op.down(p).abs().max() < 1e-12
    assert torch.allclose(op.down(x - p), op.down(x), atol=1e-12)


def test_matrix_free_at_larger_sizes():
    k = separable_kernel(DOWNSAMPLERS.get("resize-0.25"), 512)
    assert (k.n, k.rank, k.nullity) == (512 * 512, 128 * 128, 512 * 512 - 128 * 128)

"""The rank cut of :mod:`nullsight.linalg` at its boundary: a singular value counts towards the rank when
``sigma > tau = rtol * sigma_max`` (``rtol = max(m, n) * eps(stored dtype)`` by default), whichever tier decides."""

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from nullsight.linalg import default_rtol, null_space, numerical_rank, split_spaces

METHODS = ["auto", "certify", "gram", "svd"]


def _with_spectrum(sigma: list[float], m: int, n: int, seed: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    u, _ = torch.linalg.qr(torch.randn(m, m, generator=g, dtype=torch.float64))
    v, _ = torch.linalg.qr(torch.randn(n, n, generator=g, dtype=torch.float64))
    s = torch.zeros(min(m, n), dtype=torch.float64)
    s[: len(sigma)] = torch.tensor(sigma, dtype=torch.float64)
    return u[:, : len(s)] @ torch.diag(s) @ v[:, : len(s)].T


@pytest.mark.parametrize("method", ["auto", "certify", "svd"])
@pytest.mark.parametrize("side, rank", [(1 + 1e-6, 4), (1 - 1e-6, 3)])
def test_rank_cut_boundary(method, side, rank):
    """``sigma_min`` just above the cut counts, just below does not (the fp64 SVD settles what the Grams cannot)."""
    s_min = 1e-3
    w = _with_spectrum([1.0, 0.5, 0.2, s_min], 6, 4)
    sigma = torch.linalg.svdvals(w)
    rtol = float(sigma[-1]) / float(sigma[0]) / side  # tau = sigma_min / side
    info = numerical_rank(w, rtol=rtol, method=method)
    assert info.rank == rank and info.nullity == 4 - rank
    assert split_spaces(w, rtol).rank == rank and null_space(w, rtol).shape == (4, 4 - rank)


@settings(max_examples=20, deadline=None)
@given(m=st.integers(2, 12), n=st.integers(2, 12), seed=st.integers(0, 2**16), above=st.booleans())
def test_every_method_agrees_at_the_cut(m, n, seed, above):
    """Hypothesis: a spectrum with its smallest value 1% either side of the cut gets the SVD's rank from every method."""
    k = min(m, n)
    sigma = [1.0] * (k - 1) + [1e-4]
    w = _with_spectrum(sigma, m, n, seed)
    exact = torch.linalg.svdvals(w)
    rtol = float(exact[-1]) / float(exact[0]) / (1.01 if above else 0.99)
    expected = k if above else k - 1
    for method in METHODS:
        assert numerical_rank(w, rtol=rtol, method=method).rank == expected, method


def test_default_rtol_is_max_side_times_eps_of_the_stored_dtype():
    assert default_rtol((3, 7), torch.float32) == 7 * torch.finfo(torch.float32).eps
    assert default_rtol((9, 2), torch.float64) == 9 * torch.finfo(torch.float64).eps
    assert default_rtol((4, 5), torch.int64) == 5 * torch.finfo(torch.float32).eps


def test_cut_is_strict_at_equality():
    """A singular value equal to ``tau`` is below the cut (``sigma > tau`` counts), as in LAPACK's rank."""
    w = torch.diag(torch.tensor([1.0, 0.25], dtype=torch.float64))
    assert numerical_rank(w, rtol=0.25, method="svd").rank == 1
    assert numerical_rank(w, rtol=math.nextafter(0.25, 0.0), method="svd").rank == 2

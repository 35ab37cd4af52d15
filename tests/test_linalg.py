"""The rank/nullity core against the fp64 SVD reference, on matrices of known rank."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from nullsight.errors import InvalidInputError, NonFiniteWeightError
from nullsight.linalg import default_rtol, null_space, numerical_rank, numerical_rank_batched, reference_rank


def known_rank_matrix(m: int, n: int, r: int, seed: int, dtype=torch.float32) -> torch.Tensor:
    """U diag(s) V^T with r singular values in [1, 10] and the rest exactly zero (before rounding to dtype)."""
    g = torch.Generator().manual_seed(seed)
    u, _ = torch.linalg.qr(torch.randn(m, m, generator=g, dtype=torch.float64))
    v, _ = torch.linalg.qr(torch.randn(n, n, generator=g, dtype=torch.float64))
    s = torch.zeros(min(m, n), dtype=torch.float64)
    s[:r] = torch.linspace(10.0, 1.0, r, dtype=torch.float64) if r else s[:0]
    return (u[:, : len(s)] @ torch.diag(s) @ v[:, : len(s)].T).to(dtype)


shapes = st.tuples(st.integers(1, 48), st.integers(1, 48)).flatmap(
    lambda mn: st.tuples(st.just(mn[0]), st.just(mn[1]), st.integers(0, min(mn)), st.integers(0, 2**16))
)


@settings(max_examples=60, deadline=None)
@given(shapes)
def test_known_rank_is_found_by_every_method(case):
    m, n, r, seed = case
    w = known_rank_matrix(m, n, r, seed)
    for method in ("auto", "certify", "gram", "svd"):
        info = numerical_rank(w, method=method)
        assert info.rank == r, (method, info)
        assert info.nullity == n - r
        assert info.structural_nullity == max(n - m, 0)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 64), st.integers(1, 64), st.integers(0, 2**16))
def test_fast_path_agrees_with_reference_on_random_matrices(m, n, seed):
    w = torch.randn(m, n, generator=torch.Generator().manual_seed(seed))
    fast, ref = numerical_rank(w), reference_rank(w)
    assert fast.rank == ref.rank
    # Weyl: |sigma - sigma*| <= delta / sigma*, with the reported resolution = sqrt(delta).
    for got, want in ((fast.sigma_max, ref.sigma_max), (fast.sigma_min, ref.sigma_min)):
        assert abs(got - want) <= fast.resolution**2 / max(want, 1e-300) + 1e-12 * ref.sigma_max


@settings(max_examples=40, deadline=None)
@given(shapes)
def test_null_space_basis_is_orthonormal_and_annihilated(case):
    m, n, r, seed = case
    w = known_rank_matrix(m, n, r, seed)
    basis = null_space(w)
    assert basis.shape == (n, n - r)
    assert basis.dtype == torch.float64
    assert torch.allclose(basis.T @ basis, torch.eye(n - r, dtype=torch.float64), atol=1e-12)
    if basis.numel():
        assert (w.double() @ basis).abs().max() <= 1e-5 * 10  # fp32 rounding of w, relative to sigma_max = 10


def test_tolerance_policy_is_lapack_style():
    assert default_rtol((32, 784), torch.float32) == 784 * torch.finfo(torch.float32).eps
    w = torch.diag(torch.tensor([1.0, 1e-2, 1e-5, 0.0]))
    info = numerical_rank(w)
    assert info.tolerance == pytest.approx(4 * torch.finfo(torch.float32).eps)
    assert info.rank == 3 and info.sigma_below_cut == 0.0 and info.sigma_above_cut == pytest.approx(1e-5)
    assert numerical_rank(w, rtol=1e-3).rank == 2


def test_near_the_cut_is_confirmed_by_svd():
    tau = 3 * torch.finfo(torch.float32).eps
    w = torch.diag(torch.tensor([1.0, 0.5, tau * (1 + 1e-9)], dtype=torch.float32))
    info = numerical_rank(w)
    assert info.method == "svd-fp64"
    assert info.rank == reference_rank(w).rank


def test_fp64_weights_below_any_gram_resolution_use_the_svd():
    deficient = known_rank_matrix(20, 30, 7, seed=3, dtype=torch.float64)
    info = numerical_rank(deficient)
    assert info.method == "svd-fp64" and info.rank == 7  # its cut (~1e-14) lies inside the Gram's error band
    assert numerical_rank(torch.randn(20, 30, dtype=torch.float64)).rank == 20


def test_zero_matrix_has_rank_zero():
    info = numerical_rank(torch.zeros(4, 6))
    assert info.rank == 0 and info.nullity == 6 and info.sigma_max == 0.0


def test_batched_matches_one_by_one():
    stack = torch.stack([known_rank_matrix(6, 9, r, r) for r in range(7)])
    assert [i.rank for i in numerical_rank_batched(stack)] == list(range(7))


def test_exception_on_non_finite_and_bad_shape():
    w = torch.ones(3, 3)
    w[1, 1] = float("nan")
    with pytest.raises(NonFiniteWeightError):
        numerical_rank(w)
    with pytest.raises(InvalidInputError, match=r"\[m, n\]"):
        numerical_rank(torch.ones(2, 3, 4))


def test_certify_proves_full_rank_without_singular_values():
    info = numerical_rank(torch.randn(64, 300, generator=torch.Generator().manual_seed(0)), method="certify")
    assert info.rank == 64 and info.method.startswith("cholesky") and info.sigma_min is None and info.sigma_max is None
    deficient = numerical_rank(known_rank_matrix(30, 40, 12, seed=1), method="certify")
    assert deficient.rank == 12 and not deficient.method.startswith("cholesky")  # no proof: the spectrum decides


def test_underflowing_fp32_gram_is_not_mistaken_for_a_zero_matrix():
    tiny = known_rank_matrix(6, 9, 4, seed=2) * 1e-25  # squares underflow in fp32, not in fp64
    assert numerical_rank(tiny).rank == 4
    assert numerical_rank(torch.zeros(6, 9)).method == "gram-fp32"

"""What :mod:`nullsight.linalg` reports beside the rank: messages at the door, the fields of :class:`RankInfo`, the
tier that decided, and the helpers behind the Weyl bounds (found by mutation testing, issue 22)."""

import math

import pytest
import torch

from nullsight.errors import InvalidInputError, NonFiniteWeightError
from nullsight.linalg import (_U64, _decided, _fp32_tier_useful, _frobenius2_upper, _gamma, _gram, _gram_spectrum,
                              numerical_rank, numerical_rank_batched, reference_rank, require_finite, split_spaces)


def test_require_finite_messages():
    require_finite(torch.ones(3))  # finite: silent
    with pytest.raises(NonFiniteWeightError, match=r"^matrix holds 1 NaN/Inf value\(s\)$"):
        require_finite(torch.tensor([1.0, float("nan")]))
    with pytest.raises(NonFiniteWeightError, match=r"^w holds 2 NaN/Inf value\(s\)$"):
        require_finite(torch.tensor([float("inf"), float("nan"), 0.0]), owner="w")
    bad = {f"l{i}": torch.tensor([float("nan")] * (i + 1)) for i in range(7)}
    bad["ok"] = torch.ones(2)
    bad["ints"] = torch.ones(2, dtype=torch.int64)
    with pytest.raises(NonFiniteWeightError) as info:
        require_finite(bad, owner="model")
    assert str(info.value) == ("model: NaN/Inf in 7 tensor(s): l0 (1 value), l1 (2 values), l2 (3 values), "
                               "l3 (4 values), l4 (5 values) and 2 more")
    six = {f"l{i}": torch.tensor([float("nan")]) for i in range(6)}
    with pytest.raises(NonFiniteWeightError, match=r"l4 \(1 value\) and 1 more$"):
        require_finite(six, owner="m")
    five = {f"l{i}": torch.tensor([float("nan")]) for i in range(5)}
    with pytest.raises(NonFiniteWeightError) as info:
        require_finite(five, owner="m")
    assert str(info.value) == "m: NaN/Inf in 5 tensor(s): l0 (1 value), l1 (1 value), l2 (1 value), l3 (1 value), l4 (1 value)"
    require_finite({"a": torch.ones(2), "b": torch.zeros(3)})
    require_finite(torch.tensor([3e38, 3e38]))  # finite values whose sum overflows: still finite weights


def test_messages_at_the_door():
    with pytest.raises(InvalidInputError, match=r"expected a \(B, m, n\) stack of matrices, got shape \(3, 4\)"):
        numerical_rank_batched(torch.ones(3, 4))
    with pytest.raises(InvalidInputError, match=r"unknown rank method 'qr'; use auto, certify, gram or svd"):
        numerical_rank(torch.ones(3, 4), method="qr")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match=r"expected a 2-D matrix \[m, n\], got \(2, 3, 4\)"):
        numerical_rank(torch.ones(2, 3, 4))
    with pytest.raises(InvalidInputError, match=r"expected a 2-D matrix \[m, n\], got list"):
        numerical_rank([[1.0]])  # type: ignore[arg-type]


def test_rank_info_fields_from_the_svd():
    w = torch.diag(torch.tensor([4.0, 2.0, 1e-9], dtype=torch.float64))
    info = numerical_rank(w, rtol=1e-6, method="svd")
    assert (info.rows, info.cols, info.rank, info.nullity, info.structural_nullity) == (3, 3, 2, 1, 0)
    assert info.sigma_max == 4.0 and info.sigma_min == pytest.approx(1e-9) and info.rtol == 1e-6
    assert info.tolerance == pytest.approx(4e-6) and info.sigma_above_cut == 2.0
    assert info.sigma_below_cut == pytest.approx(1e-9) and info.gap == pytest.approx(2e9)
    assert info.resolution == 0.0 and info.method == "svd-fp64"
    assert info.to_dict()["rank"] == 2
    assert reference_rank(w, rtol=1e-6).rank == 2 and reference_rank(w).rank == 3
    well = torch.diag(torch.tensor([4.0, 2.0, 1.0], dtype=torch.float64))
    assert reference_rank(well).method == "svd-fp64" and numerical_rank(well).method == "gram-fp64"
    full = numerical_rank(torch.eye(3, 5, dtype=torch.float64), method="svd")
    assert full.gap is None and full.sigma_below_cut is None and full.structural_nullity == 2
    exact_zero = numerical_rank(torch.diag(torch.tensor([1.0, 0.0], dtype=torch.float64)), method="svd")
    assert exact_zero.gap is None and exact_zero.rank == 1 and exact_zero.sigma_min == 0.0


def test_zero_matrix_and_empty_matrix():
    for method in ("auto", "gram", "certify"):
        info = numerical_rank(torch.zeros(3, 4), method=method)
        assert (info.rank, info.nullity, info.sigma_max, info.resolution) == (0, 4, 0.0, 0.0)
        assert info.method == ("gram-fp64" if method == "gram" else "gram-fp32")
    assert numerical_rank(torch.zeros(3, 4, dtype=torch.float64)).method == "gram-fp64"
    empty = numerical_rank(torch.zeros(0, 4))
    assert (empty.rank, empty.nullity, empty.sigma_max, empty.sigma_min) == (0, 4, 0.0, 0.0)
    one = numerical_rank(torch.ones(1, 3), method="auto")  # a single row goes through the Gram tiers
    assert one.rank == 1 and one.method.startswith("gram")


def test_tier_names():
    w = torch.randn(6, 9, generator=torch.Generator().manual_seed(0))
    assert numerical_rank(w, method="gram").method == "gram-fp64"
    assert numerical_rank(w, method="auto").method == "gram-fp32"
    assert numerical_rank(w, method="certify").method == "cholesky-fp32"
    assert numerical_rank(w.double(), method="auto").method == "gram-fp64"  # fp64 weights skip the fp32 tier
    assert numerical_rank(w.double(), method="certify").method == "cholesky-fp64"
    info = numerical_rank(w, method="gram")
    assert info.resolution > 0 and info.sigma_min == pytest.approx(float(torch.linalg.svdvals(w.double())[-1]), rel=1e-6)


def test_certify_in_a_batch_keeps_each_matrix_its_own_answer():
    """Zero, rank-deficient and full-rank matrices in one stack: each gets its own certificate (or not)."""
    g = torch.Generator().manual_seed(1)
    full = torch.randn(4, 6, generator=g)
    low = torch.randn(4, 2, generator=g) @ torch.randn(2, 6, generator=g)
    stack = torch.stack([low, torch.zeros(4, 6), full, 10 * full, low])
    infos = numerical_rank_batched(stack, method="certify")
    assert [i.rank for i in infos] == [2, 0, 4, 4, 2]
    assert infos[2].method == infos[3].method == "cholesky-fp32"
    assert not infos[0].method.startswith("cholesky") and infos[0].rows == 4 and infos[2].cols == 6
    assert (infos[2].rows, infos[2].nullity, infos[2].structural_nullity) == (4, 2, 2)
    assert infos[2].rtol == infos[0].rtol and infos[2].resolution > 0 and infos[2].sigma_max is None
    only = numerical_rank_batched(stack[2:4], method="certify")
    assert [i.method for i in only] == ["cholesky-fp32"] * 2


def _expected_shift(s: torch.Tensor, rtol: float, n: int) -> float:
    """The documented shift of the fp64 certificate for a diagonal ``k x n`` matrix with entries ``s``:
    ``rtol^2 lambda_high + delta + eta`` (:func:`nullsight.linalg._certify_full_rank`)."""
    k = len(s)
    gram = torch.diag(s**2)
    frob2 = float(_frobenius2_upper(gram[None], n, _U64)[0])
    delta = _gamma(n, _U64) * frob2
    eta = 10.0 * (k + 1) * _U64 * k * frob2
    lam_high = min(float((s**2).max()) + delta, frob2)
    return rtol**2 * lam_high + delta + eta


@pytest.mark.parametrize("factor, certified", [(1 + 1e-6, True), (1 - 1e-6, False)])
def test_cholesky_certificate_boundary(factor, certified):
    """"certified" (method ``cholesky-fp64``) exactly when ``sigma_min^2`` clears the shift; either way the rank is right.
    A large companion in the same batch must not move the small matrix's own bound."""
    rtol = 1e-7
    s = torch.tensor([1.0, 1.0, 1.0, 0.0], dtype=torch.float64)
    for _ in range(5):  # sigma_min enters the shift through ||W||_F^2: a fixed point
        s[3] = math.sqrt(factor * _expected_shift(s, rtol, 4))
    w = torch.diag(s)
    infos = numerical_rank_batched(torch.stack([w, 10 * torch.eye(4, dtype=torch.float64)]), rtol=rtol, method="certify")
    assert infos[0].method.startswith("cholesky") is certified
    assert infos[0].rank == 4 and infos[1].method == "cholesky-fp64"


def test_gamma_and_frobenius_bound():
    assert _gamma(4, 0.125) == 1.0 and _gamma(2, 0.25) == 1.0
    gram = torch.diag(torch.tensor([2.0, 3.0], dtype=torch.float64))[None]
    u = 2.0**-24
    assert float(_frobenius2_upper(gram, 8, u)[0]) == 5.0 / ((1 - _gamma(8, u)) * (1 - 2 * _U64))
    assert float(_frobenius2_upper(gram, 8, u)[0]) >= 5.0


def test_gram_spectrum_bound_is_the_documented_weyl_bound():
    """``delta = gamma_n(u) ||W||_F^2 + 10 k u lambda_max`` (module docstring), eigenvalues descending in fp64."""
    w = torch.randn(2, 5, 8, generator=torch.Generator().manual_seed(3))
    for precision in (torch.float32, torch.float64):
        lam, delta = _gram_spectrum(w, precision)
        assert lam.dtype == torch.float64 and bool((lam[:, :-1] >= lam[:, 1:]).all())
        u = torch.finfo(precision).eps / 2
        frob2 = (w.double() ** 2).sum((1, 2))
        expected = _gamma(8, u) * frob2 + 10 * 5 * u * lam[:, 0]
        assert torch.allclose(delta, expected, rtol=1e-5)
        exact = torch.linalg.svdvals(w.double()) ** 2
        assert bool(((lam - exact).abs() <= delta[:, None]).all())
    assert _gram(w, torch.float64).shape == (2, 5, 5) and _gram(w.transpose(1, 2), torch.float64).shape == (2, 5, 5)


def test_decided_at_its_edges():
    """Decided when every eigenvalue's interval ``lam +- delta`` lies strictly outside the cut's interval
    ``rtol^2 (lam_max -+ delta)``: dyadic values make every edge exact."""
    rtol, delta = 0.5, 0.0625
    high = rtol**2 * (1 + delta)  # 0.265625
    low = rtol**2 * (1 - delta)  # 0.234375
    t = lambda *v: torch.tensor(v, dtype=torch.float64)  # noqa: E731
    assert _decided(t(1.0, high + delta + 2**-20), delta, rtol)
    assert not _decided(t(1.0, high + delta), delta, rtol)  # touching the edge: undecided
    assert _decided(t(1.0, low - delta - 2**-20), delta, rtol)
    assert not _decided(t(1.0, low - delta), delta, rtol)
    assert not _decided(t(1.0, 0.25), delta, rtol)
    assert not _decided(t(0.0, 0.0), delta, rtol)  # underflow: decide nothing
    assert _decided(t(1.0, 0.0), delta, rtol) and _decided(t(2.0, 1.9), 0.01, 0.5)


def test_fp32_tier_useful_boundary():
    """``max(m, n) * u32 * min(m, n) < 1/2``, fp32-representable weights only; TF32 only matters on CUDA."""
    shaped = lambda m, n, dtype=torch.float32: torch.zeros(1, 1, 1, dtype=dtype).expand(1, m, n)  # noqa: E731
    assert not _fp32_tier_useful(shaped(2048, 4096))  # 2^23 * 2^-24 = 1/2 exactly
    assert _fp32_tier_useful(shaped(2047, 4096))
    assert not _fp32_tier_useful(shaped(4, 4, torch.float64))
    assert _fp32_tier_useful(shaped(4, 4, torch.bfloat16))
    before = torch.backends.cuda.matmul.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = True
    try:
        assert _fp32_tier_useful(shaped(4, 4))  # on the CPU TF32 never applies
    finally:
        torch.backends.cuda.matmul.allow_tf32 = before


def test_split_spaces_fields():
    w = torch.diag(torch.tensor([3.0, 1.0, 0.0], dtype=torch.float64))[:2]  # 2 x 3
    split = split_spaces(w, rtol=0.5)
    assert split.rank == 1 and split.row.shape == (3, 1) and split.null.shape == (3, 2)
    assert split.tolerance == 1.5 and torch.equal(split.sigma, torch.tensor([3.0, 1.0], dtype=torch.float64))
    assert split_spaces(w).rank == 2 and split_spaces(w).tolerance == pytest.approx(3 * 3 * torch.finfo(torch.float64).eps)
    assert split_spaces(torch.zeros(2, 3)).rank == 0


def test_gram_method_keeps_its_name_near_the_cut():
    """``method="gram"`` answers from the fp64 Gram even where the Weyl bound cannot decide (no SVD fallback)."""
    w = torch.diag(torch.tensor([1.0, 1e-9], dtype=torch.float64))
    assert numerical_rank(w, rtol=1e-9 / 1.000001, method="gram").method == "gram-fp64"
    assert numerical_rank(w, rtol=1e-9 / 1.000001, method="auto").method == "svd-fp64"


def test_split_spaces_of_an_empty_matrix_and_the_cut_record():
    split = split_spaces(torch.zeros(0, 3))
    assert split.rank == 0 and split.tolerance == 0.0 and torch.equal(split.null, torch.eye(3, dtype=torch.float64))
    at = numerical_rank(torch.diag(torch.tensor([1.0, 0.25], dtype=torch.float64)), rtol=0.25, method="svd")
    assert at.sigma_below_cut == 0.25 and at.sigma_above_cut == 1.0 and at.gap == 4.0


def test_separable_null_projection_follows_the_input_dtype():
    from nullsight.linalg import separable_null_projection

    g = torch.Generator().manual_seed(0)
    row_h = torch.linalg.qr(torch.randn(4, 2, generator=g, dtype=torch.float64))[0]
    row_w = torch.linalg.qr(torch.randn(5, 3, generator=g, dtype=torch.float64))[0]
    x = torch.rand(2, 4, 5, generator=g)
    out = separable_null_projection(x, row_h, row_w)
    assert out.dtype == torch.float32
    ref = x.double() - row_h @ (row_h.T @ x.double() @ row_w) @ row_w.T
    assert torch.allclose(out.double(), ref, atol=1e-6)
    assert torch.allclose(row_h.T @ out.double() @ row_w, torch.zeros(2, 2, 3, dtype=torch.float64), atol=1e-6)

"""Every number an operator null-space record reports, against an independent dense computation: the banded
certificate's ``sigma_max``, cut and ``sigma_min`` (on operators whose band has several diagonals, groups included),
the dense path's rank cut and ``sigma_min``, the switch between the two paths, the default tolerance, and the
``(K, 1)`` block-diagonal path's rows, residual and ``sigma_min`` (found by mutation testing, issue 22)."""

import pytest
import torch
import torch.nn.functional as F

from nullsight.errors import InvalidInputError
from nullsight.operators import (conv1d_null_space, conv1d_operator_matrix, conv2d_k1_null_space,
                                 conv2d_operator_matrix)

U64 = 2.0**-53


def _dense_parts(weight: torch.Tensor, length: int, padding: int, groups: int) -> tuple[float, float, int]:
    """``||A^T A||_inf``, ``||A||_F^2`` and the band width ``b`` of the dense operator, computed apart from the code."""
    a = conv1d_operator_matrix(weight, length, padding=padding, groups=groups)
    gram = a.T @ a
    c_in, k = weight.shape[1] * groups, weight.shape[2]
    return float(gram.abs().sum(dim=1).max()), float((a * a).sum()), c_in * k - 1


@pytest.mark.parametrize("groups", [1, 2])
def test_banded_certificate_numbers_match_the_dense_operator(groups):
    """A tall random operator (4 outputs per 2 inputs per step): certified full rank, and every number of the record
    is the dense one: ``sigma_max = sqrt(||A^T A||_inf)``, ``tau = rtol sigma_max``, ``sigma_min = sqrt(rtol^2
    lambda_high + delta)`` with ``delta = 4 (C_in k + b + 1) u ||A||_F^2``.  A tiny ``rtol`` makes ``delta`` (and so
    ``C_in``, ``k`` and the trace) decide ``sigma_min``."""
    weight = torch.randn(4, 2 // groups, 3, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    length, rtol = 30, 1e-12
    null = conv1d_null_space(weight, length, padding=1, groups=groups, rtol=rtol, dense_limit=0)
    lam, frob2, b = _dense_parts(weight, length, 1, groups)
    assert null.method == "banded-cholesky-fp64" and null.certified and null.dim == 0
    assert null.sigma_max == pytest.approx(lam**0.5, rel=1e-12)
    assert null.tolerance == pytest.approx(rtol * lam**0.5, rel=1e-12)
    delta = 4.0 * (2 * 3 + b + 1) * U64 * frob2
    assert null.sigma_min == pytest.approx((rtol**2 * lam + delta) ** 0.5, rel=1e-9)
    assert float(torch.linalg.svdvals(conv1d_operator_matrix(weight, length, padding=1, groups=groups))[-1]) \
        > null.sigma_min  # the certificate's bound is below the true sigma_min


def test_uncertified_banded_record_reports_the_operator_norm_and_the_cut():
    """A wide operator (Cholesky must fail): ``sigma_max`` is still ``sqrt(||A^T A||_inf)``, the cut printed is
    ``sqrt(shift)``, and the structural bound is ``cols - rows``."""
    weight = torch.randn(1, 3, 3, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    null = conv1d_null_space(weight, 20, padding=1, rtol=1e-3, dense_limit=0)
    lam, frob2, b = _dense_parts(weight, 20, 1, 1)
    assert not null.certified and null.dim == 60 - 20 and null.sigma_min is None
    assert null.sigma_max == pytest.approx(lam**0.5, rel=1e-12)
    shift = 1e-6 * lam + 4.0 * (3 * 3 + b + 1) * U64 * frob2
    assert f"some sigma <= {shift ** 0.5:.3e};" in null.evidence
    assert "max(cols - rows, 0) = 40 is given" in null.evidence
    square = conv1d_null_space(torch.tensor([[[0.0, 1.0, 0.0]]], dtype=torch.float64), 9, padding=1,
                               dense_limit=0)
    assert square.certified and "max(cols - rows, 0)" not in square.evidence  # identity: certified, no bound


def test_dense_path_sigma_min_and_the_zero_operator():
    """``sigma_min`` is the smallest of several singular values; an all-zero kernel has every input in its null
    space (the cut ``tau = 0`` keeps no singular value: ``sigma > tau``, not ``>=``)."""
    weight = torch.randn(3, 1, 2, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    null = conv1d_null_space(weight, 8)
    s = torch.linalg.svdvals(conv1d_operator_matrix(weight, 8))
    assert null.dim == 0 and null.method == "dense-svd-fp64"
    assert null.sigma_min == pytest.approx(float(s[-1]), rel=1e-12) and float(s[-2]) > float(s[-1]) * (1 + 1e-9)
    zero = conv1d_null_space(torch.zeros(2, 1, 3, dtype=torch.float64), 6)
    assert (zero.dim, zero.sigma_max, zero.tolerance) == (6, 0.0, 0.0)
    assert zero.basis.shape == (6, 6)


def test_dense_limit_is_inclusive_and_its_default_is_4096():
    weight = torch.tensor([[[1.0, -1.0]]], dtype=torch.float64)
    assert conv1d_null_space(weight, 10, padding=1, dense_limit=10).method == "dense-svd-fp64"
    assert conv1d_null_space(weight, 10, padding=1, dense_limit=9).method == "banded-cholesky-fp64"
    assert conv1d_null_space(weight, 4097, padding=1).method == "banded-cholesky-fp64"
    k1 = torch.tensor([[[[1.0], [-1.0]]]], dtype=torch.float64)
    assert conv2d_k1_null_space(k1, (10, 2), padding=(1, 0), dense_limit=9).method.endswith("banded-cholesky-fp64")
    assert conv2d_k1_null_space(k1, (4097, 1), padding=(1, 0)).method.endswith("banded-cholesky-fp64")
    assert conv2d_k1_null_space(k1, (4096, 1), padding=(1, 0)).method.endswith("dense-svd-fp64")


def test_default_tolerance_follows_the_patch_matrix():
    """``rtol = max(C_out, C_in/g * k) * eps`` of the stored dtype: here the patch is the longer side (2 * 4 > 3)."""
    weight = torch.randn(3, 2, 4, generator=torch.Generator().manual_seed(0))
    null = conv1d_null_space(weight, 12)
    eps = torch.finfo(torch.float32).eps
    assert null.tolerance == pytest.approx(8 * eps * null.sigma_max, rel=1e-12)


def test_kernel_that_does_not_fit_names_its_span():
    with pytest.raises(InvalidInputError, match="a kernel spanning 7 does not fit a length-5 input padded by 0"):
        conv1d_null_space(torch.ones(1, 1, 4), 5, dilation=2)


def test_operator_matrix_defaults():
    """No padding, stride, dilation or groups unless asked: ``C_out * (L - k + 1)`` rows."""
    weight = torch.randn(2, 1, 3, generator=torch.Generator().manual_seed(0))
    a = conv1d_operator_matrix(weight, 7)
    x = torch.randn(7, dtype=torch.float64)
    assert a.shape == (2 * 5, 7)
    assert torch.allclose(a @ x, F.conv1d(x.view(1, 1, 7), weight.double()).reshape(-1))


def test_k1_defaults_and_rows_with_padding():
    """Called with no padding the ``(K, 1)`` path is unpadded; with width padding ``pw`` and stride 1 the output has
    ``W + 2 pw`` columns, so the record's rows are the dense operator's."""
    weight = torch.randn(2, 1, 3, 1, generator=torch.Generator().manual_seed(0))
    plain = conv2d_k1_null_space(weight, (6, 4))
    assert (plain.rows, plain.cols) == tuple(conv2d_operator_matrix(weight, (6, 4)).shape)
    padded = conv2d_k1_null_space(weight, (6, 4), padding=(0, 1))
    assert (padded.rows, padded.cols) == tuple(conv2d_operator_matrix(weight, (6, 4), padding=(0, 1)).shape)


def test_k1_records_with_and_without_unseen_columns():
    """Stride 2 over 4 columns skips 2: they are all null (a basis exists even when each seen column has full
    rank), ``sigma_min`` is 0 and the evidence says so.  Stride 1: no basis, no residual, ``sigma_min`` is the
    per-column one and the evidence is the per-column sentence alone.  A wide kernel (null space in every column):
    the residual is the measured ``max |A N|``, not a placeholder."""
    tall = torch.randn(3, 1, 2, 1, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    skipped = conv2d_k1_null_space(tall, (5, 4), stride=(1, 2))
    assert (skipped.seen_columns, skipped.unseen_columns, skipped.dim) == (2, 2, 2 * 5)
    assert skipped.basis is not None and skipped.residual == 0.0 and skipped.sigma_min == 0.0
    assert skipped.evidence.endswith("; 2 column(s) skipped by stride 2 are never seen")
    full = conv2d_k1_null_space(tall, (5, 4))
    one_d = conv1d_null_space(tall[..., 0], 5)
    assert (full.dim, full.basis, full.residual) == (0, None, None)
    assert full.sigma_min == one_d.sigma_min > 0
    assert full.evidence == f"block-diagonal over 4 seen column(s) of 4: per column {one_d.evidence}"
    wide = torch.randn(1, 1, 3, 1, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    null = conv2d_k1_null_space(wide, (6, 3))
    images = null.basis.T.reshape(null.dim, 1, 6, 3)
    measured = float(F.conv2d(images, wide).abs().max())
    assert measured > 0 and null.residual == measured

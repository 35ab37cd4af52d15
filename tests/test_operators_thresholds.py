""""certified" at its boundary (:mod:`nullsight.operators`): the banded certificate holds when
``A^T A - (rtol^2 lambda_high + delta) I`` is positive definite, i.e. ``sigma_min^2 > rtol^2 lambda_high + delta``.

``x -> x * [1, -1]`` zero-padded on both sides: ``A^T A`` is tridiagonal ``(-1, 2, -1)``, so the bound
``lambda_high = ||A^T A||_inf = 4`` and ``delta = 4 (c_in k + b + 1) u ||A||_F^2 = 16 u (2 L)`` are known by hand.
"""

import pytest
import torch

from nullsight.operators import conv1d_null_space, conv1d_operator_matrix

WEIGHT = torch.tensor([[[1.0, -1.0]]], dtype=torch.float64)
LENGTH = 300


def _rtol_for(shift: float) -> float:
    delta = 16 * 2.0**-53 * (2 * LENGTH)
    return ((shift - delta) / 4.0) ** 0.5


@pytest.mark.parametrize("factor, certified", [(1 - 1e-3, True), (1 + 1e-3, False)])
def test_banded_certificate_boundary(factor, certified):
    s_min = float(torch.linalg.svdvals(conv1d_operator_matrix(WEIGHT, LENGTH, padding=1))[-1])
    null = conv1d_null_space(WEIGHT, LENGTH, padding=1, rtol=_rtol_for(factor * s_min**2), dense_limit=0)
    assert null.method == "banded-cholesky-fp64" and null.certified is certified
    if certified:
        assert null.dim == 0 and null.sigma_min == pytest.approx(s_min * factor**0.5, rel=1e-9)
    else:
        assert null.dim == 0 and null.sigma_min is None and "structural" in null.evidence  # rows > cols: bound 0


@pytest.mark.parametrize("factor, dim", [(1 + 1e-6, 0), (1 - 1e-6, 1)])
def test_dense_cut_boundary(factor, dim):
    """The dense path: ``sigma_min`` just above ``tau = rtol sigma_max`` is no null space, just below is one."""
    s = torch.linalg.svdvals(conv1d_operator_matrix(WEIGHT, 64, padding=1))
    rtol = float(s[-1]) / float(s[0]) / factor
    null = conv1d_null_space(WEIGHT, 64, padding=1, rtol=rtol)
    assert null.method == "dense-svd-fp64" and null.certified and null.dim == dim
    assert (null.basis is None) == (dim == 0)

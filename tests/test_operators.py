"""Convolutions as linear operators: 1-D and (K, 1) operators at a given length, their null spaces against a dense
SVD, and the banded certificate of 'no null space'."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from nullsight.errors import InvalidInputError
from nullsight.linalg import default_rtol
from nullsight.operators import (_gram_band, conv1d_null_space, conv1d_operator_matrix, conv2d_k1_null_space,
                                 conv2d_operator_matrix)

conv1d_cases = st.tuples(
    st.integers(1, 3),  # c_in
    st.integers(1, 4),  # c_out
    st.integers(1, 5),  # kernel
    st.integers(1, 4),  # stride
    st.integers(0, 2),  # padding
    st.integers(1, 2),  # dilation
    st.integers(8, 20),  # length
)


def _dense_nullity(a, rtol):
    s = torch.linalg.svdvals(a)
    return a.shape[1] - int((s > rtol * s[0]).sum())


@settings(max_examples=30, deadline=None)
@given(case=conv1d_cases, seed=st.integers(0, 10**6))
def test_conv1d_null_space_matches_the_dense_svd(case, seed):
    c_in, c_out, k, s, p, d, length = case
    if length + 2 * p < d * (k - 1) + 1:
        return
    weight = torch.randn(c_out, c_in, k, generator=torch.Generator().manual_seed(seed))
    a = conv1d_operator_matrix(weight, length, s, p, d)
    x = torch.randn(c_in * length, dtype=torch.float64)
    assert torch.allclose(a @ x, F.conv1d(x.reshape(1, c_in, length), weight.double(), None, s, p, d).reshape(-1))
    rtol = default_rtol((c_out, c_in * k), weight.dtype)
    null = conv1d_null_space(weight, length, s, p, d)
    assert null.dim == _dense_nullity(a, rtol) and null.certified
    if null.dim:
        assert null.residual < 1e-10 * null.sigma_max
        assert torch.allclose(null.basis.T @ null.basis, torch.eye(null.dim, dtype=torch.float64), atol=1e-10)
    else:
        assert null.basis is None and null.sigma_min > null.tolerance and "no exact collision" in null.evidence


def test_non_overlapping_strided_conv_has_the_patch_null_space():
    weight = torch.randn(3, 2, 4)  # 3 x 8 patch matrix: nullity 5 per patch, 4 patches at length 16
    null = conv1d_null_space(weight, 16, stride=4)
    assert (null.dim, null.rows, null.cols) == (20, 12, 32)


@settings(max_examples=15, deadline=None)
@given(case=conv1d_cases, groups=st.sampled_from([1, 2]), seed=st.integers(0, 10**6))
def test_gram_band_is_the_band_of_the_dense_gram(case, groups, seed):
    c_in, c_out, k, s, p, d, length = case
    c_in, c_out = c_in * groups, c_out * groups
    if length + 2 * p < d * (k - 1) + 1:
        return
    weight = torch.randn(c_out, c_in // groups, k, generator=torch.Generator().manual_seed(seed))
    a = conv1d_operator_matrix(weight, length, s, p, d, groups)
    order = torch.arange(c_in * length).reshape(c_in, length).T.reshape(-1)  # time-major
    gram = (a.T @ a)[order][:, order].numpy()
    band = _gram_band(weight, length, s, p, d, groups)
    b = band.shape[0] - 1
    n = gram.shape[0]
    rebuilt = np.zeros_like(gram)
    for j in range(n):
        for i in range(max(0, j - b), j + 1):
            rebuilt[i, j] = rebuilt[j, i] = band[b + i - j, j]
    assert np.allclose(rebuilt, gram, atol=1e-12)


def test_banded_certificate_agrees_with_the_dense_answer():
    torch.manual_seed(0)
    overlapping = torch.randn(4, 1, 5)  # stride 2 < kernel 5, zero-padded: full column rank
    dense = conv1d_null_space(overlapping, 64, 2, 2)
    banded = conv1d_null_space(overlapping, 64, 2, 2, dense_limit=0)
    assert dense.dim == banded.dim == 0 and banded.certified and banded.method == "banded-cholesky-fp64"
    assert banded.sigma_min <= dense.sigma_min  # the certified lower bound
    long = conv1d_null_space(overlapping, 20000, 2, 2)  # beyond the dense limit
    assert long.certified and long.dim == 0
    singular = conv1d_null_space(torch.randn(3, 2, 4), 64, 4, dense_limit=0)
    assert not singular.certified and singular.dim == 5 * 16 and "structural" in singular.evidence


@pytest.mark.parametrize("stride, padding", [((2, 1), (1, 0)), ((1, 2), (0, 0)), ((3, 1), (0, 1))])
def test_k1_conv2d_null_space_matches_the_dense_2d_operator(stride, padding):
    torch.manual_seed(0)
    weight = torch.randn(2, 3, 3, 1)  # 2 x 9 patches: strided along H, so a null space per column
    h, w = 9, 5
    null = conv2d_k1_null_space(weight, (h, w), stride, padding)
    a = conv2d_operator_matrix(weight, (h, w), stride, padding)
    assert null.dim == _dense_nullity(a, default_rtol((2, 9), weight.dtype))
    assert null.residual < 1e-10 * null.sigma_max
    assert float((a @ null.basis).abs().max()) < 1e-10 * null.sigma_max
    if stride[1] > 1:
        assert null.unseen_columns == 2  # columns 1 and 3 are never read


def test_k1_conv2d_without_null_space_says_so():
    torch.manual_seed(0)
    null = conv2d_k1_null_space(torch.randn(8, 1, 3, 1), (10, 4), padding=(1, 0))
    assert null.dim == 0 and null.basis is None and "no exact collision" in null.evidence
    with pytest.raises(InvalidInputError, match=r"K, 1\) kernel"):
        conv2d_k1_null_space(torch.randn(8, 1, 3, 3), (10, 4))
    with pytest.raises(InvalidInputError, match="does not fit"):
        conv1d_null_space(torch.randn(2, 1, 9), 4)

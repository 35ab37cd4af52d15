"""Values, not only shapes, of the operator matrices (seed 000 Remark 2, seed 001 App. B): the transposed-convolution
matrix against the dense ConvTranspose operator, the banded path with dilation, and the banded Cholesky certificate
on a nearly singular but full-rank operator."""

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from nullsight.operators import conv1d_null_space, conv1d_operator_matrix, conv_transpose_matrix


@settings(max_examples=20, deadline=None)
@given(groups=st.sampled_from([1, 2]), per_in=st.integers(1, 3), per_out=st.integers(1, 3), kh=st.integers(1, 3),
       kw=st.integers(1, 3), seed=st.integers(0, 2**16))
def test_conv_transpose_matrix_is_the_dense_footprint_operator(groups, per_in, per_out, kh, kw, seed):
    """On a 1 x 1 input a ConvTranspose2d writes one footprint: its dense operator ``(out * kh * kw) x in`` is block
    diagonal over the groups, and each block is the group's block of :func:`conv_transpose_matrix`."""
    c_in, c_out = groups * per_in, groups * per_out
    weight = torch.randn(c_in, per_out, kh, kw, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    basis = torch.eye(c_in, dtype=torch.float64).reshape(c_in, c_in, 1, 1)
    dense = F.conv_transpose2d(basis, weight, groups=groups).reshape(c_in, -1).T  # (out * kh * kw, in)
    matrix = conv_transpose_matrix(weight, groups)
    rows = per_out * kh * kw
    assert matrix.shape == (groups * rows, per_in)
    for g in range(groups):
        block = dense[g * rows:(g + 1) * rows, g * per_in:(g + 1) * per_in]
        assert torch.equal(matrix[g * rows:(g + 1) * rows], block)
        off = dense[g * rows:(g + 1) * rows].clone()
        off[:, g * per_in:(g + 1) * per_in] = 0
        assert not off.any()  # nothing crosses groups


@pytest.mark.parametrize("dilation, stride, padding", [(2, 1, 0), (3, 1, 1), (2, 2, 0)])
def test_banded_path_counts_outputs_with_dilation(dilation, stride, padding):
    """Above the dense limit the output length must include the dilation: rows of the banded answer equal the dense
    operator's, and the structural bound ``cols - rows`` (the banded path's uncertified answer) uses them."""
    torch.manual_seed(0)
    weight = torch.randn(1, 2, 3)  # c_in 2 > c_out 1: wide, so cols > rows and Cholesky must fail
    length = 40
    dense = conv1d_operator_matrix(weight, length, stride, padding, dilation)
    banded = conv1d_null_space(weight, length, stride, padding, dilation, dense_limit=0)
    reference = conv1d_null_space(weight, length, stride, padding, dilation)
    assert (banded.rows, banded.cols) == tuple(dense.shape) == (reference.rows, reference.cols)
    assert not banded.certified and banded.dim == dense.shape[1] - dense.shape[0] == reference.dim


@pytest.mark.parametrize("length", [200, 400])
def test_nearly_singular_full_rank_operator_is_certified(length):
    """``x -> x * [1, -1]`` zero-padded on both sides is full rank with ``sigma_min ~ pi / (L + 1)``.  With ``rtol``
    set so that ``sigma_min`` is twice the cut (far below ``sqrt(rtol) sigma_max``), the banded Cholesky must still
    certify it, and its reported ``sigma_min`` (a lower bound) must lie within a factor 4 of the truth."""
    weight = torch.tensor([[[1.0, -1.0]]], dtype=torch.float64)
    dense = torch.linalg.svdvals(conv1d_operator_matrix(weight, length, padding=1))
    s_max, s_min = float(dense[0]), float(dense[-1])
    rtol = 0.5 * s_min / s_max
    assert s_min < rtol**0.5 * s_max  # nearly singular on the scale of a sqrt(rtol) cut
    null = conv1d_null_space(weight, length, padding=1, rtol=rtol, dense_limit=0)
    assert null.method == "banded-cholesky-fp64"
    assert null.certified and null.dim == 0 and "certificate" in null.evidence
    assert null.sigma_min <= s_min and null.sigma_min >= s_min / 4
    assert null.tolerance < null.sigma_min

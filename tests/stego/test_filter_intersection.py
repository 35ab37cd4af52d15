"""App. B: null spaces of a first convolution, checked against the generic counts and by forward passes."""

import torch

from nullsight.stego.filter_intersection import conv_null_spaces


def test_one_valid_3x3_kernel_on_28x28_has_a_108_dimensional_null_space():
    (row,) = conv_null_spaces(torch.randn(1, 1, 3, 3, generator=torch.Generator().manual_seed(0)), 28)
    assert (row.input_dim, row.output_dim, row.null_dim, row.expected_generic) == (784, 676, 108, 108)
    assert row.max_abs_conv_of_basis < 1e-12 and row.max_abs_diff_forward < 1e-12


def test_same_padding_is_injective_and_more_kernels_shrink_the_intersection():
    kernels = torch.randn(3, 1, 3, 3, generator=torch.Generator().manual_seed(1))
    dominant = torch.zeros(1, 1, 3, 3)
    dominant[0, 0, 1, 1] = 1.0
    dominant += 0.1 * kernels[:1]  # symbol bounded away from zero: injective with margin, not just generically
    (same,) = conv_null_spaces(dominant, 12, padding=1)
    assert same.null_dim == 0 and same.max_abs_conv_of_basis is None
    dims = [row.null_dim for row in conv_null_spaces(kernels, 12)]
    assert dims[0] == 144 - 100 and dims == sorted(dims, reverse=True) and dims[-1] == 0

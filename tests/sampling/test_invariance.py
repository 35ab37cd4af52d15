"""f = g o D is blind to ker(D): forward passes in fp32 and fp64 with a real network."""

import pytest
import torch

from nullsight.models.nula import Nula
from nullsight.normalization import PM1
from nullsight.sampling.invariance import check_invariance
from nullsight.sampling.kernels import separable_kernel
from nullsight.sampling.operators import DOWNSAMPLERS


@pytest.mark.parametrize("name", ["decimate-2", "blurpool-2", "resize-0.25"])
def test_g_of_d_does_not_see_the_kernel(name):
    torch.manual_seed(0)
    op = DOWNSAMPLERS.get(name)
    pixels = torch.rand(3, 3, 32, 32, dtype=torch.float64)
    check = check_invariance(op, separable_kernel(op, 32), Nula(width=0.125), pixels, PM1.to_model, eps=0.2)
    assert check.max_kernel_residual_fp64 < 1e-14
    assert check.relative_change_fp64 < 1e-12
    assert check.relative_change_fp32 < 1e-5
    assert check.max_logit_change_without_d > 1e3 * check.max_logit_change_fp64  # without D the network sees delta

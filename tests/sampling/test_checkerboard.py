"""The card's checkerboard claims, measured: S2 gives a constant (not zero), the [1,2,1] blur annihilates it."""

import pytest
import torch

from nullsight.sampling.checkerboard import checkerboard, checkerboard_response
from nullsight.sampling.kernels import separable_kernel
from nullsight.sampling.operators import DOWNSAMPLERS


def _response(name, eps=0.05):
    op = DOWNSAMPLERS.get(name)
    return checkerboard_response(op, 32, eps, separable_kernel(op, 32).project)


def test_pattern():
    board = checkerboard((3, 3), 0.5)
    assert board.tolist() == [[0.5, -0.5, 0.5], [-0.5, 0.5, -0.5], [0.5, -0.5, 0.5]]


def test_decimation_maps_checkerboard_to_a_constant_not_zero():
    r = _response("decimate-2")
    assert r.constant_output and not r.in_kernel
    assert r.response_mean == pytest.approx(0.05, abs=1e-15)
    assert r.relative_response == pytest.approx(1.0)
    assert r.response_norm == pytest.approx(0.05 * 16)  # eps * sqrt(m), m = 256
    assert r.kernel_fraction == pytest.approx(3**0.5 / 2)  # 3/4 of the energy sits on the 768 odd pixels


@pytest.mark.parametrize("name", ["blurpool-2", "blur-decimate-2", "resize-0.5", "resize-0.25"])
def test_lowpass_operators_annihilate_it(name):
    r = _response(name)
    assert r.in_kernel and r.response_norm < 1e-15 and r.kernel_fraction == pytest.approx(1.0)

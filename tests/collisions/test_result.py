"""The word "exact" (seed 000, Definition 1, Fig. 5): an output whose fp64 relative difference is at most
``EXACT_RTOL`` (1e-9).  A null direction plus a little noise is a near miss, and must not be called exact."""

import math

import pytest
import torch
from torch import nn

from nullsight.collisions.result import EXACT_RTOL, LayerDiff
from nullsight.collisions.verify import Verifier
from nullsight.linalg import split_spaces


def _net_and_directions():
    """A small tanh MLP, an input, and unit directions in the null space and in the row space of its first layer."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(16, 6), nn.Tanh(), nn.Linear(6, 3)).eval()
    spaces = split_spaces(model[0].weight)
    x = torch.randn(1, 16, dtype=torch.float64)
    return model, x, spaces.null[:, 0][None], spaces.row[:, 0][None]


def test_null_direction_is_exact_and_a_near_miss_is_not():
    model, x, null, row = _net_and_directions()
    verify = Verifier(model)
    clean = verify(x, x + 0.5 * null)
    assert clean.exact == [True] and clean.max_rel_diff_fp64[0] <= 1e-12
    near = verify(x, x + 0.5 * null + 1e-6 * row)  # a little noise outside the null space
    assert 1e-8 < near.max_rel_diff_fp64[0] < 1e-4  # about 1e-6: far below 1e-3, far above 1e-9
    assert near.exact == [False]
    assert near.first_collision_layer is None


def test_exact_boundary_is_exact_rtol():
    """Just inside ``EXACT_RTOL`` is exact, just outside is not: both for the verifier and for a layer's record."""
    model, x, null, row = _net_and_directions()
    verify = Verifier(model, layers=False)
    unit = verify(x, x + 1e-6 * row).max_rel_diff_fp64[0] / 1e-6  # the output moves linearly at this scale
    inside = verify(x, x + 0.5 * null + 0.9 * EXACT_RTOL / unit * row)
    outside = verify(x, x + 0.5 * null + 1.1 * EXACT_RTOL / unit * row)
    assert inside.max_rel_diff_fp64[0] <= EXACT_RTOL < outside.max_rel_diff_fp64[0]
    assert inside.exact == [True] and outside.exact == [False]
    at = LayerDiff("fc", "Linear", 0.0, 0.0, 0.0, EXACT_RTOL)
    above = LayerDiff("fc", "Linear", 0.0, 0.0, 0.0, math.nextafter(EXACT_RTOL, 1.0))
    assert at.collides and not above.collides


def test_exact_rtol_is_the_documented_1e_9():
    assert EXACT_RTOL == pytest.approx(1e-9, rel=0)

"""When a flip point is ``converged`` (seed 002, Eqs. 7-10): its relative KKT residual is at most ``10 * tol``.

Two classes ``z = y`` (``W = I``, ``b = 0``) and a feature ``x = (1 + delta, 1)`` just on class 0's side: with no
Newton step (``max_iter=0``) the flip point is ``x`` itself and its residual is the equality's violation in distance
units over ``||x||``, ``delta / (sqrt(2) ||x||)``: a residual set by hand.
"""

from __future__ import annotations

import math

import pytest
import torch

from nullsight.geometry.flip import FlipPointSolver

W, B = torch.eye(2), torch.zeros(2)


def _x_with_residual(residual: float) -> torch.Tensor:
    # delta / (sqrt(2) * sqrt((1 + delta)^2 + 1)) = residual, solved by a few fixed-point steps
    delta = 2 * residual
    for _ in range(50):
        delta = residual * math.sqrt(2) * math.sqrt((1 + delta) ** 2 + 1)
    return torch.tensor([[1.0 + delta, 1.0]], dtype=torch.float64)


@pytest.mark.parametrize("nonneg", [True, False])
def test_residual_left_by_max_iter_between_1e_8_and_1e_5_is_unconverged(nonneg: bool) -> None:
    for residual in (2e-8, 1e-6, 9e-6):
        r = FlipPointSolver(W, B, nonneg=nonneg, max_iter=0)(_x_with_residual(residual))
        assert int(r.classes[0]) == 0
        assert float(r.kkt_residual[0, 1]) == pytest.approx(residual, rel=1e-6)
        assert not bool(r.converged[0, 1]) and not bool(r.infeasible[0, 1])
    solved = FlipPointSolver(W, B, nonneg=nonneg, max_iter=5)(_x_with_residual(1e-6))
    assert bool(solved.converged[0, 1]) and float(solved.kkt_residual[0, 1]) <= 1e-8


@pytest.mark.parametrize("tol", [1e-9, 1e-6])
def test_converged_boundary_is_ten_tol(tol: float) -> None:
    """Just inside ``10 tol`` converged, just outside not."""
    inside = FlipPointSolver(W, B, tol=tol, max_iter=0)(_x_with_residual(0.99 * 10 * tol))
    outside = FlipPointSolver(W, B, tol=tol, max_iter=0)(_x_with_residual(1.01 * 10 * tol))
    assert float(inside.kkt_residual[0, 1]) <= 10 * tol < float(outside.kkt_residual[0, 1])
    assert bool(inside.converged[0, 1]) and not bool(outside.converged[0, 1])

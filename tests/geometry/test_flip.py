"""Flip points batched over class pairs (seed 002, Eqs. 5-14): closed form and OSQP."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from nullsight.errors import InvalidInputError
from nullsight.geometry.flip import FlipPointSolver, lipschitz_constant


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 12), st.integers(0, 10_000))
def test_two_classes_closed_form(f: int, seed: int) -> None:
    """Two classes, no bound: the flip point is the projection onto the hyperplane (w_i - w_j) y + b_i - b_j = 0."""
    g = torch.Generator().manual_seed(seed)
    W, b = torch.randn(2, f, generator=g), torch.randn(2, generator=g)
    x = torch.randn(5, f, generator=g, dtype=torch.float64)
    r = FlipPointSolver(W, b, nonneg=False)(x)
    W, b = W.double(), b.double()
    for q in range(5):
        i = int(r.classes[q])
        j = 1 - i
        w, c = W[i] - W[j], b[i] - b[j]
        expected = x[q] - (w @ x[q] + c) / (w @ w) * w
        assert torch.allclose(r.points[q, j], expected, atol=1e-9)
        assert abs(float(r.distance[q, j]) - float((w @ x[q] + c).abs() / w.norm())) <= 1e-9 * (1 + float(r.distance[q, j]))
        assert float(r.distance[q, i]) == float("inf")


def test_many_classes_inactive_constraints_closed_form() -> None:
    """Orthogonal class directions: z_i = z_j at the midpoint of the two coordinates, the others stay below."""
    f = 6
    W, b = torch.eye(f)[:4], torch.zeros(4)
    x = torch.tensor([[3.0, 1.0, 0.5, 0.2, 0.7, 0.1]], dtype=torch.float64)
    r = FlipPointSolver(W, b, nonneg=True)(x)
    assert int(r.classes[0]) == 0
    for j, xj in zip((1, 2, 3), (1.0, 0.5, 0.2)):
        assert abs(float(r.distance[0, j]) - (3.0 - xj) / np.sqrt(2)) < 1e-10
    assert int(r.min_class[0]) == 1 and abs(float(r.min_distance[0]) - 2 / np.sqrt(2)) < 1e-10


@pytest.mark.parametrize("nonneg", [True, False])
def test_matches_osqp(nonneg: bool) -> None:
    pytest.importorskip("qpsolvers")
    from nullsight.geometry.reference import flip_point_osqp

    g = torch.Generator().manual_seed(4)
    W, b = torch.randn(5, 12, generator=g), torch.randn(5, generator=g)
    x = 2 * torch.rand(6, 12, generator=g)
    r = FlipPointSolver(W, b, nonneg=nonneg)(x)
    assert bool(r.converged.all()) and float(r.kkt_residual.max()) < 1e-8
    for q in range(6):
        i = int(r.classes[q])
        for j in range(5):
            if j != i:
                y = flip_point_osqp(x[q].double().numpy(), W.double().numpy(), b.double().numpy(), i, j, nonneg)
                ref = np.linalg.norm(y - x[q].double().numpy())
                assert abs(float(r.distance[q, j]) - ref) <= 1e-6 * ref


def test_infeasible_pair_is_flagged() -> None:
    """Class 2 never beats class 0 on non-negative features (w_2 <= w_0, b_2 < b_0): no flip point 0 -> 2."""
    W = torch.tensor([[1.0, 1.0], [0.0, 2.0], [0.5, 0.5]])
    b = torch.tensor([0.0, 0.0, -1.0])
    r = FlipPointSolver(W, b, nonneg=True)(torch.tensor([[2.0, 0.5]]))
    assert int(r.classes[0]) == 0
    assert bool(r.infeasible[0, 2]) and float(r.distance[0, 2]) == float("inf")
    assert bool(r.converged[0, 1]) and np.isfinite(float(r.distance[0, 1]))


def test_lipschitz_bound() -> None:
    """Eq. 14: ||z(x) - z(y)|| <= sigma_max(W) ||x - y||."""
    g = torch.Generator().manual_seed(0)
    W = torch.randn(7, 9, generator=g, dtype=torch.float64)
    L = lipschitz_constant(W)
    x, y = torch.randn(50, 9, generator=g, dtype=torch.float64), torch.randn(50, 9, generator=g, dtype=torch.float64)
    assert bool(((x - y) @ W.T).norm(dim=1).le(L * (x - y).norm(dim=1) + 1e-12).all())


def test_exception() -> None:
    with pytest.raises(InvalidInputError):
        FlipPointSolver(torch.zeros(1, 3), torch.zeros(1))
    with pytest.raises(InvalidInputError):
        FlipPointSolver(torch.zeros(3, 3), torch.zeros(3))(torch.zeros(2, 4))

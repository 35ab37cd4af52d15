"""The hull projector's certificates (seed 002, Eqs. 24-25): the convergence test it documents, and the lower bound
``sqrt(d_h^2 - 2 g)`` it reports, checked on the unit cube, whose hull projection is exact: ``clip(x, 0, 1)``."""

from __future__ import annotations

import itertools

import pytest
import torch

from nullsight.geometry.hull import HullProjector


def _cube(d: int, n_queries: int, seed: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Vertices of [0, 1]^d, queries mostly outside, and their exact distances to the cube."""
    D = torch.tensor(list(itertools.product([0.0, 1.0], repeat=d)), dtype=torch.float64)
    Q = 3 * torch.randn(n_queries, d, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    return D, Q, (Q - Q.clamp(0, 1)).norm(dim=1)


def _bound(projector: HullProjector, distance: torch.Tensor) -> torch.Tensor:
    return projector.rtol * distance**2 + projector.atol * projector.mean_sq


@pytest.mark.parametrize("rtol, atol", [(1e-3, 0.0), (1e-6, 0.0), (1e-10, 1e-11)])
def test_converged_queries_meet_the_documented_bound(rtol: float, atol: float) -> None:
    """``converged`` means ``gap <= rtol * d_h^2 + atol * mean ||D_i||^2``; then ``d_h^2 - d*^2 <= 2 gap``."""
    D, Q, exact = _cube(5, 40, seed=0)
    projector = HullProjector(D, rtol=rtol, atol=atol, k_init=2, k_add=1)
    r = projector(Q)
    assert bool(r.converged.all())
    bound = _bound(projector, r.distance)
    assert bool((r.gap <= bound).all())
    assert bool((r.distance**2 - exact**2 <= 2 * bound + 1e-12).all())


def test_default_tolerances_give_distances_to_1e_10() -> None:
    D, Q, exact = _cube(5, 40, seed=1)
    r = HullProjector(D, k_init=2, k_add=1)(Q)
    assert bool(r.converged.all())
    assert float(((r.distance - exact).abs() / exact.clamp_min(1e-300)).max()) <= 1e-10


def test_distance_lower_bounds_unconverged_queries() -> None:
    """One gap pass from two nearest vertices leaves queries unconverged: their lower bound is ``sqrt(d_h^2 - 2 g)``
    and is below the exact distance."""
    D, Q, exact = _cube(5, 40, seed=0)
    r = HullProjector(D, k_init=2, k_add=1, max_rounds=1)(Q)
    bad = ~r.converged
    assert int(bad.sum()) >= 3
    assert torch.allclose(r.distance_lower, (r.distance**2 - 2 * r.gap).clamp_min(0).sqrt(), rtol=1e-12, atol=1e-12)
    assert bool((r.distance_lower[bad] <= exact[bad] + 1e-12).all())
    assert bool((r.distance_lower[bad] < r.distance[bad]).all())
    assert bool((r.distance_lower <= exact + 1e-12).all())


@pytest.mark.parametrize("factor, converged", [(1 + 1e-9, True), (1 - 1e-9, False)])
def test_converged_boundary(factor: float, converged: bool) -> None:
    """One gap pass leaves gap g: with ``rtol`` a hair above ``g / d_h^2`` the query is converged, a hair below not."""
    D, Q, _ = _cube(5, 40, seed=0)
    first = HullProjector(D, k_init=2, k_add=1, max_rounds=1)(Q)
    i = int(torch.nonzero(first.gap > 1e-3)[0])
    ratio = float(first.gap[i] / first.distance[i] ** 2)
    r = HullProjector(D, rtol=ratio * factor, atol=0.0, k_init=2, k_add=1, max_rounds=1)(Q[i:i + 1])
    assert float(r.gap[0]) == float(first.gap[i])  # the same pass, judged against a moved bound
    assert bool(r.converged[0]) is converged

"""Batched hull projection (seed 002, Eqs. 20-25) against OSQP, one QP per point."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from nullsight.errors import InvalidInputError
from nullsight.geometry.hull import HullProjector

pytest.importorskip("qpsolvers")
from nullsight.geometry.reference import hull_projection_osqp  # noqa: E402


def _cloud(n: int, d: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    D = torch.randn(n, d, generator=g, dtype=torch.float64)
    outside = 2.5 * torch.randn(6, d, generator=g, dtype=torch.float64)
    # inside: convex combinations of a few points (distance 0), and training points themselves
    w = torch.rand(4, 5, generator=g, dtype=torch.float64)
    inside = (w / w.sum(1, keepdim=True)) @ D[:5]
    return D, torch.cat([outside, inside, D[5:7]])


@pytest.mark.parametrize("n,d", [(40, 2), (300, 8), (400, 16)])
def test_matches_osqp(n: int, d: int) -> None:
    D, Q = _cloud(n, d, seed=n + d)
    r = HullProjector(D, k_init=8, k_add=8, chunk_size=128, query_batch=5)(Q)
    assert bool(r.converged.all())
    for q, dist, proj in zip(Q.numpy(), r.distance.numpy(), r.projection.numpy()):
        ref, _, _ = hull_projection_osqp(q, D.numpy())
        d_ref = np.linalg.norm(ref - q)
        if d_ref > 1e-6:
            assert abs(dist - d_ref) <= 1e-6 * d_ref
        else:  # inside the hull
            assert dist <= 1e-6
    assert (r.distance[6:] <= 1e-6).all()


def test_support_reconstructs_projection() -> None:
    D, Q = _cloud(200, 6, seed=1)
    r = HullProjector(D)(Q)
    for proj, pairs in zip(r.projection, r.support_lists()):
        idx = torch.tensor([i for i, _ in pairs])
        a = torch.tensor([a for _, a in pairs], dtype=torch.float64)
        assert abs(float(a.sum()) - 1) < 1e-12 and bool((a > 0).all())
        assert torch.allclose(a @ D[idx], proj, atol=1e-10)
    assert bool((r.distance_lower <= r.distance + 1e-15).all())


@settings(max_examples=15, deadline=None)
@given(st.integers(1, 60), st.integers(1, 6), st.integers(0, 10_000))
def test_projection_is_optimal(n: int, d: int, seed: int) -> None:
    """Optimality: <q - x_h, D_i - x_h> <= 0 for every training point (the variational inequality)."""
    g = torch.Generator().manual_seed(seed)
    D = torch.randn(n, d, generator=g, dtype=torch.float64)
    Q = 3 * torch.randn(4, d, generator=g, dtype=torch.float64)
    r = HullProjector(D, k_init=3, k_add=2)(Q)
    assert bool(r.converged.all())
    vi = ((Q - r.projection)[:, None, :] * (D[None] - r.projection[:, None, :])).sum(-1)
    assert float(vi.max()) <= 1e-8 * (1 + float((D ** 2).sum(1).max()))
    assert bool((r.distance <= (Q[:, None] - D[None]).norm(dim=2).min(1).values + 1e-12).all())


def test_unconverged_is_reported_not_silent() -> None:
    D, Q = _cloud(500, 16, seed=3)
    r = HullProjector(D, k_init=2, k_add=1, max_rounds=1)(Q[:6])
    assert r.n_unconverged > 0
    bad = ~r.converged
    assert bool((r.gap[bad] > 0).all()) and bool((r.distance_lower[bad] < r.distance[bad]).all())


def test_exception() -> None:
    with pytest.raises(InvalidInputError):
        HullProjector(torch.zeros(0, 3))
    with pytest.raises(InvalidInputError):
        HullProjector(torch.zeros(4, 3))(torch.zeros(2, 4))
    with pytest.raises(InvalidInputError):
        HullProjector(torch.zeros(4, 3))(torch.full((1, 3), float("nan")))

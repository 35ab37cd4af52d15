"""Inverse mapping (seed 002, Eqs. 15-18) and the two-point equidistant projection (App. A)."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from nullsight.errors import InvalidInputError
from nullsight.geometry.inverse import inverse_map, radii, two_point_projection


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 20), st.integers(0, 10_000))
def test_two_point_projection_keeps_distances(f: int, seed: int) -> None:
    g = torch.Generator().manual_seed(seed)
    a, b, c = (torch.randn(f, generator=g, dtype=torch.float64) for _ in range(3))
    xy = two_point_projection(a, b, torch.stack([c, a, b, 0.3 * a + 0.7 * b]))
    d_ab = float((a - b).norm())
    assert abs(float(xy[0].norm()) - float((c - a).norm())) < 1e-9
    assert abs(float((xy[0] - torch.tensor([d_ab, 0.0], dtype=torch.float64)).norm()) - float((c - b).norm())) < 1e-6
    assert torch.allclose(xy[1], torch.zeros(2, dtype=torch.float64), atol=1e-9)
    assert torch.allclose(xy[2], torch.tensor([d_ab, 0.0], dtype=torch.float64), atol=1e-6)
    assert abs(float(xy[3, 1])) < 1e-5 and bool((xy[:, 1] >= 0).all())  # points on the line AB stay on ab


def test_inverse_map_linear_features_reaches_targets() -> None:
    """With linear features N_phi(x) = M x the ball / point constraints are met and the residual says so."""
    g = torch.Generator().manual_seed(0)
    M = torch.randn(3, 16, generator=g) / 4
    phi = lambda x: x.flatten(1) @ M.T  # noqa: E731
    ref = 0.2 + 0.6 * torch.rand(2, 1, 4, 4, generator=g)
    target = phi(0.2 + 0.6 * torch.rand(2, 1, 4, 4, generator=g))
    point = inverse_map(phi, target, ref, mode="point", outer=10)
    assert float(point.residual.max()) < 1e-3
    assert torch.allclose(point.residual, (phi(point.images) - target).norm(dim=1), atol=1e-6)
    r = (phi(ref) - target).norm(dim=1) / 2
    ball = inverse_map(phi, target, ref, r, mode="ball", outer=10)
    assert float(ball.residual.max()) < 1e-2 and bool((ball.images >= 0).all() and (ball.images <= 1).all())
    assert bool((ball.pixel_distance <= point.pixel_distance + 1e-4).all())  # a larger feasible set, a closer image


def test_radii_and_exceptions() -> None:
    rs = radii(2.0, 5)
    assert rs[0] == 2.0 and rs[-1] == 0.0 and rs == sorted(rs, reverse=True)
    with pytest.raises(InvalidInputError):
        inverse_map(lambda x: x.flatten(1), torch.zeros(1, 4), torch.zeros(1, 1, 2, 2), mode="sphere")
    with pytest.raises(InvalidInputError):
        two_point_projection(torch.zeros(3), torch.zeros(3), torch.ones(1, 3))

"""Ambiguity (Eq. 26), union of learned regions, support-label agreement and margin detection (seed 002, Sec. 7.2)."""

from __future__ import annotations

import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from nullsight.geometry.regions import ambiguity, detection_scores, support_label_agreement, union_of_regions


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 30), st.integers(1, 20), st.integers(1, 5), st.integers(0, 10_000))
def test_union_matches_brute_force(n: int, q: int, f: int, seed: int) -> None:
    g = torch.Generator().manual_seed(seed)
    c, x = torch.randn(n, f, generator=g), torch.randn(q, f, generator=g)
    r = torch.rand(n, generator=g)
    u = union_of_regions(c, r, x, chunk_size=7)
    d_cx = torch.cdist(c.double(), x.double())
    d_cc = torch.cdist(c.double(), c.double())
    assert torch.equal(u.inside_union, (d_cx < r[:, None].double()).any(0))
    own = torch.eye(n, dtype=torch.bool)
    expected = ((d_cc < r[:, None].double()) & ~own).sum(1) + (d_cx < r[:, None].double()).sum(1)
    assert torch.equal(u.counts, expected)


def test_support_label_agreement() -> None:
    support = torch.tensor([[0, 1, -1], [2, -1, -1]])
    weights = torch.tensor([[0.75, 0.25, 0.0], [1.0, 0.0, 0.0]], dtype=torch.float64)
    train_labels, labels = torch.tensor([3, 4, 4]), torch.tensor([3, 5])
    s = support_label_agreement(support, weights, train_labels, labels)
    assert abs(s["by_count"] - 1 / 3) < 1e-12 and abs(s["by_weight"] - 0.75 / 2) < 1e-12
    assert s["mean_support_size"] == 1.5


def test_detection_and_ambiguity() -> None:
    clean = torch.linspace(1, 3, 100, dtype=torch.float64)
    perfect = detection_scores(clean, torch.full((10,), 0.01, dtype=torch.float64))
    assert perfect["auc"] == 1.0 and perfect["detection_rate"] == 1.0
    useless = detection_scores(clean, torch.full((10,), 5.0, dtype=torch.float64))
    assert useless["auc"] == 0.0 and useless["detection_rate"] == 0.0
    assert torch.equal(ambiguity(torch.tensor([2.0, 0.5]), torch.tensor([0.5, 2.0])), torch.tensor([1.5, -1.5], dtype=torch.float64))

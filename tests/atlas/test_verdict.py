"""Verdicts of first-operator signatures: exact ones really collide at fp64, impossible ones carry a certificate, and
the matrix-free tests (block-triangular certificate, local windows) agree with the dense reference."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from nullsight.atlas import verdict
from nullsight.atlas.verdict import Signature, apply, decide, random_weight
from nullsight.operators import conv2d_operator_matrix

TINY = 1e-9  # fp64 forward difference of an exact collision, ||v|| = 1, A x of order 1


def conv(ci: int, co: int, n: int, k: int, s: int, p: int, d: int = 1, g: int = 1, dims: int = 2) -> Signature:
    kind = "patchify" if k == s and p == 0 and d == 1 and g == 1 else "conv"
    return Signature(kind, ci, co, (n,) * dims, (k,) * dims, (s,) * dims, ((p, p),) * dims, (d,) * dims, g)


def dense_nullity(sig: Signature, w: torch.Tensor) -> int:
    """Reference: the whole 2-D operator as a dense matrix (nullsight.operators), its fp64 SVD rank."""
    (pb, pa), _ = sig.padding
    a = conv2d_operator_matrix(w, sig.spatial, sig.stride, pb, sig.dilation, sig.groups)
    s = torch.linalg.svdvals(a)
    tol = max(a.shape) * torch.finfo(torch.float32).eps * float(torch.linalg.matrix_norm(w.reshape(w.shape[0], -1), 2))
    return a.shape[1] - int((s > tol).sum())


def check(sig: Signature, decision: verdict.Decision) -> None:
    if decision.verdict == "exact":
        assert decision.null_dimension and decision.null_dimension > 0
        assert decision.max_abs_diff_fp64 is not None and decision.max_abs_diff_fp64 < TINY
        assert decision.max_abs_diff_fp32 is not None and decision.max_abs_diff_fp32 < 1e-4
    elif decision.verdict == "impossible":
        assert decision.null_dimension == 0 and decision.sigma_min is not None and decision.sigma_min > 0
        assert decision.rank == sig.in_values


@settings(max_examples=25, deadline=None)
@given(ci=st.integers(1, 3), co=st.integers(1, 24), k=st.integers(1, 4), n=st.integers(1, 3))
def test_patchify_exact_collides_and_impossible_is_certified(ci: int, co: int, k: int, n: int) -> None:
    sig = Signature("patchify", ci, co, (n * k + 1, n * k), (k, k), (k, k), ((0, 0), (0, 0)), (1, 1))
    decision = decide(sig, seed=1)
    check(sig, decision)
    rows = (n * k + 1) // k  # patch rows; with k > 1 the last pixel row is never read
    unread = (n * k + 1 - rows * k) * n * k
    per_patch = max(ci * k * k - co, 0)
    assert decision.verdict == ("exact" if per_patch or unread else "impossible")
    assert decision.null_dimension == rows * n * per_patch + ci * unread


@settings(max_examples=20, deadline=None)
@given(features=st.integers(1, 40), out=st.integers(1, 40))
def test_fc(features: int, out: int) -> None:
    sig = Signature("fc", features, out)
    decision = decide(sig, seed=2)
    check(sig, decision)
    assert decision.verdict == ("exact" if out < features else "impossible")
    if decision.verdict == "exact":
        assert decision.null_dimension == features - out


@settings(max_examples=30, deadline=None)
@given(ci=st.integers(1, 3), co=st.integers(1, 12), n=st.integers(3, 9), k=st.integers(1, 4), s=st.integers(1, 3),
       p=st.integers(0, 2), d=st.integers(1, 2))
def test_small_convolutions_match_the_dense_reference(ci, co, n, k, s, p, d) -> None:
    if d * (k - 1) + 1 > n + 2 * p:
        return
    sig = conv(ci, co, n, k, s, p, d)
    decision = decide(sig, seed=3)
    check(sig, decision)
    reference = dense_nullity(sig, random_weight(sig, 3))
    assert decision.verdict == ("exact" if reference else "impossible")
    if decision.verdict == "exact" and not decision.lower_bound:
        assert decision.null_dimension == reference


@pytest.mark.parametrize("sig", [
    conv(3, 16, 12, 3, 2, 1), conv(3, 64, 16, 7, 2, 3), conv(2, 8, 10, 3, 1, 1), conv(3, 8, 14, 3, 2, 1),
    conv(3, 20, 13, 4, 2, 1), conv(3, 6, 12, 3, 2, 0, d=2), conv(4, 8, 12, 3, 2, 1, g=2),
])
def test_matrix_free_paths_agree_with_the_dense_reference(monkeypatch, sig: Signature) -> None:
    """With the dense path switched off, the certificate or the local window decides; the dense SVD must agree."""
    monkeypatch.setattr(verdict, "DENSE_LIMIT", 0)
    decision = decide(sig, seed=4)
    check(sig, decision)
    reference = dense_nullity(sig, random_weight(sig, 4))
    if decision.verdict == "impossible":
        assert decision.method == "block-triangular rank certificate" and reference == 0
    elif decision.verdict == "exact":
        assert reference > 0 and decision.lower_bound and decision.null_dimension <= reference
    else:
        assert decision.reason


def test_the_certificate_is_not_fooled_by_a_rank_deficient_weight(monkeypatch) -> None:
    """A weight with two equal output rows can still be injective, but one with a zero input channel never is."""
    monkeypatch.setattr(verdict, "DENSE_LIMIT", 0)
    sig = conv(3, 64, 16, 7, 2, 3)
    w = random_weight(sig, 0)
    w[:, 1] = 0  # channel 1 is never read: every pixel of it is a collision
    decision = decide(sig, weight=w)
    assert decision.verdict == "exact" and decision.max_abs_diff_fp64 < TINY


def test_stems_of_the_zoo() -> None:
    """ResNet's stem is injective at 224 (certified in blocks), DeiT-Tiny's patchify has 576 null directions per patch,
    a valid 7x7/2 convolution leaves a pixel unread, a 3->8 stride-2 stem collides in a local window."""
    resnet = decide(conv(3, 64, 224, 7, 2, 3))
    assert (resnet.verdict, resnet.method) == ("impossible", "block-triangular rank certificate")
    deit = decide(Signature("patchify", 3, 192, (224, 224), (16, 16), (16, 16), ((0, 0), (0, 0)), (1, 1)))
    assert (deit.verdict, deit.null_dimension) == ("exact", 196 * 576) and deit.max_abs_diff_fp64 < TINY
    valid = decide(conv(3, 64, 224, 7, 2, 0))
    assert valid.verdict == "exact" and "read by no output" in valid.reason
    narrow = decide(conv(3, 8, 224, 3, 2, 1))
    assert narrow.verdict == "exact" and narrow.method == "local-window svd-fp64" and narrow.max_abs_diff_fp64 < TINY
    video = decide(Signature("conv", 3, 64, (4, 20, 20), (3, 7, 7), (1, 2, 2), ((1, 1), (3, 3), (3, 3)), (1, 1, 1)))
    assert video.verdict == "impossible"


def test_signature_key_and_weights_are_stable() -> None:
    sig = conv(3, 64, 224, 7, 2, 3)
    assert sig.key() == "conv:3->64@224x224:k7x7:s2x2:p3+3,3+3:d1x1:g1"
    assert torch.equal(random_weight(sig, 0), random_weight(sig, 0))
    assert not torch.equal(random_weight(sig, 0), random_weight(sig, 1))
    bound = 1 / math.sqrt(3 * 49)
    assert float(random_weight(sig, 0).abs().max()) <= bound


def test_apply_is_the_convolution_with_its_padding() -> None:
    sig = Signature("conv", 2, 3, (9, 8), (3, 3), (2, 2), ((1, 2), (0, 1)), (1, 1))
    w = random_weight(sig, 0)
    x = torch.rand(1, 2, 9, 8, dtype=torch.float64)
    expected = torch.nn.functional.conv2d(torch.nn.functional.pad(x, (0, 1, 1, 2)), w, stride=2)
    assert torch.equal(apply(sig, w, x), expected)

"""Null(W1) projectors: identities (hypothesis), dimensions, and what the network sees."""

import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from nullsight.models import MLP
from nullsight.normalization import PM1
from nullsight.stego.projector import NullSpaceProjector
from nullsight.stego.sees import what_the_network_sees


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 20), st.integers(2, 40), st.integers(0, 2**16))
def test_projector_identities(m, n, seed):
    g = torch.Generator().manual_seed(seed)
    proj = NullSpaceProjector.from_weight(torch.randn(m, n, generator=g))
    x = torch.randn(5, n, generator=g, dtype=torch.float64)
    hat, perp = proj.null_part(x), proj.row_part(x)
    assert torch.allclose(hat + perp, x, atol=1e-12)                        # sum to the identity
    assert torch.allclose(proj.null_part(hat), hat, atol=1e-12)             # idempotent
    assert torch.allclose(proj.row_part(perp), perp, atol=1e-12)
    assert (hat * perp).sum(1).abs().max() < 1e-10                          # orthogonal
    assert proj.dim == max(n - m, 0)
    assert proj.residual() < 1e-12 * max(1.0, float(torch.linalg.matrix_norm(proj.weight, 2)))


def test_seed001_mlp_null_space_is_752_dimensional():
    model = MLP()
    proj = NullSpaceProjector.from_model(model, torch.rand(1, 1, 28, 28))
    assert proj.dim == 752
    assert proj.residual() < 1e-13


def test_what_the_network_sees_keeps_the_predictions():
    torch.manual_seed(0)
    model = MLP().eval()
    proj = NullSpaceProjector.from_model(model, torch.rand(1, 1, 28, 28))
    seen = what_the_network_sees(model, proj, PM1, torch.rand(8, 1, 28, 28))
    assert seen.predictions_agree == 1.0
    assert seen.max_logit_diff < 1e-5 and seen.max_logit_diff_fp64 < 1e-12

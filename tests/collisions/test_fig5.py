"""Seed 000 Fig. 5: every basis vector's difference at every layer stays at round-off (fp64) for an exact collision."""

import json

import pytest
import torch
from torch import nn

from nullsight.collisions import NullSpaceSearch
from nullsight.collisions.fig5 import per_basis_vector
from nullsight.errors import InvalidInputError


def patchify() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(3, 16, 4, 4), nn.GELU(), nn.Flatten(), nn.Linear(16 * 16, 10)).eval()


def test_every_basis_vector_is_round_off_at_every_layer():
    search = NullSpaceSearch(patchify(), [0.5] * 3, [0.25] * 3, (3, 16, 16))
    x = torch.rand(1, 3, 16, 16, generator=torch.Generator().manual_seed(0))
    result = per_basis_vector(search, x, beta=1.0, chunk=7)
    assert result.n_vectors == result.null_dim == 48 - 16 and len(result.per_vector_output_fp64) == 32
    assert result.layers[-1] == "output" and len(result.max_abs_fp64) == len(result.layers)
    assert max(result.max_abs_fp64) < 1e-12  # fp64 round-off
    assert max(result.max_abs_fp32) < 1e-4 and max(result.max_abs_fp32) > max(result.max_abs_fp64)
    assert json.loads(json.dumps(result.to_dict()))["kind"] == "collision-fig5"


def test_limit_and_no_null_space():
    search = NullSpaceSearch(patchify(), [0.5] * 3, [0.25] * 3, (3, 16, 16))
    x = torch.rand(1, 3, 16, 16)
    assert per_basis_vector(search, x, limit=5).n_vectors == 5
    torch.manual_seed(0)
    full = nn.Sequential(nn.Conv2d(3, 48, 4, 4), nn.Flatten(), nn.Linear(48 * 16, 10)).eval()
    with pytest.raises(InvalidInputError, match="no exact null space"):
        per_basis_vector(NullSpaceSearch(full, [0.5] * 3, [0.25] * 3, (3, 16, 16)), x)


def test_one_reference_pass_gives_the_paired_layer_table():
    """x once and its layers kept: the same table as pairing x with every x_hat, at half the forward passes."""
    from torch import nn

    from nullsight.collisions.verify import Verifier, layer_table_against

    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 6 * 6, 5)).eval()
    verifier = Verifier(model)
    x = torch.rand(1, 3, 8, 8, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    x_hats = x + 0.1 * torch.randn(6, 3, 8, 8, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    names, a32, a64 = verifier.layer_table(x.expand(6, -1, -1, -1), x_hats)
    names2, b32, b64 = layer_table_against(verifier.model32, verifier.model64, x, x_hats)
    assert names2 == names and b64.shape == (len(names), 6)
    assert torch.allclose(a64, b64, atol=1e-14) and torch.allclose(a32, b32, atol=1e-5)

"""Seed 000's per-patch multipliers: ``P = [beta_1 phi_1 ... beta_n phi_n]``, any beta_i per patch."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from torch import nn

from nullsight.cli import main
from nullsight.collisions import NullSpaceSearch
from nullsight.collisions.perturbation import to_patches
from nullsight.collisions.runner import record
from nullsight.errors import InvalidInputError


def patchify() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(3, 8, 4, 4), nn.Flatten(), nn.Linear(8 * 8 * 8, 10)).eval()


def ramp() -> torch.Tensor:
    m = torch.linspace(0.0, 1.0, 8, dtype=torch.float64).repeat(8, 1)  # 0 on the left, 1 on the right
    m[0, 0] = -0.5  # a negative multiplier flips phi
    return m


@pytest.mark.parametrize("per_patch", [False, True])
def test_each_patch_gets_its_own_beta_and_the_collision_is_exact(per_patch):
    x = torch.rand(2, 3, 32, 32, generator=torch.Generator().manual_seed(0)) * 0.5 + 0.25
    search = NullSpaceSearch(patchify(), [0.5] * 3, [0.25] * 3, (3, 32, 32), beta=0.1, per_patch=per_patch,
                             patch_betas=ramp())
    result = record(search, search(x))
    assert result.exact and result.max_rel_diff_fp64 <= 1e-9 and result.patch_betas == ramp().tolist()
    tile_linf = to_patches(result.perturbation, (4, 4)).abs().amax(dim=2)[0].reshape(8, 8)
    assert torch.allclose(tile_linf, 0.1 * ramp().abs(), atol=1e-12)  # patch i: L-infinity beta * |beta_i|


def test_flat_lists_are_read_row_by_row_and_bad_shapes_are_refused():
    search = NullSpaceSearch(patchify(), [0.5] * 3, [0.25] * 3, (3, 32, 32), patch_betas=ramp().reshape(-1))
    assert search.prepare().direction is not None
    for bad, match in ((torch.ones(4, 4), "patch grid is 8x8"), (torch.zeros(8, 8), "every per-patch multiplier"),
                       (torch.full((8, 8), float("nan")), "finite")):
        with pytest.raises(InvalidInputError, match=match):
            NullSpaceSearch(patchify(), [0.5] * 3, [0.25] * 3, (3, 32, 32), patch_betas=bad).prepare()


def test_multipliers_need_a_patchify_layer():
    model = nn.Sequential(nn.Flatten(), nn.Linear(3 * 32 * 32, 10)).eval()
    with pytest.raises(InvalidInputError, match="patchify"):
        NullSpaceSearch(model, None, None, (3, 32, 32), patch_betas=torch.ones(8, 8)).prepare()


def test_cli_reads_inline_rows_and_files(tmp_path, capsys):
    betas = np.tile(np.linspace(0, 1, 14), (14, 1))
    np.save(tmp_path / "betas.npy", betas)
    code = main(["collide", "timm:deit_tiny_patch16_224", "--data", "foolbox-imagenet", "--n", "1", "--beta", "0.2",
                 "--patch-betas", str(tmp_path / "betas.npy"), "-q", "-f", "json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["exact"] and np.allclose(out["patch_betas"], betas)
    assert out["linf"] == pytest.approx(0.2)
    code = main(["collide", "timm:deit_tiny_patch16_224", "--data", "foolbox-imagenet", "--patch-betas", "1,2;3"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "rows differ" in err and "\n" not in err


def test_a_single_row_of_every_value_is_the_grid():
    row = ramp().reshape(1, -1)
    search = NullSpaceSearch(patchify(), [0.5] * 3, [0.25] * 3, (3, 32, 32), patch_betas=row)
    search.prepare()
    assert search.patch_betas.shape == (8, 8) and torch.equal(search.patch_betas, ramp())


def test_eq6_budget_counts_the_largest_multiplier():
    """With beta_i up to 2, the null-space step is 2 beta: the attack gets eps - 2 beta, the total stays within eps."""
    from nullsight.collisions.runner import Inputs, collide
    from nullsight.models import LoadedModel

    x = torch.rand(2, 3, 32, 32, generator=torch.Generator().manual_seed(5)) * 0.5 + 0.25
    loaded = LoadedModel("patchify", patchify(), (3, 32, 32), "factory", "none")
    inputs = Inputs(x, "random", (0.5,) * 3, (0.25,) * 3, [0, 1])
    betas = torch.ones(8, 8, dtype=torch.float64)
    betas[0, 0] = 2.0
    result = collide(loaded, inputs, attack="fgsm", eps=0.1, beta=0.02, patch_betas=betas)
    assert result.attack.eps == pytest.approx(0.1 - 0.04)
    assert result.attack.within_budget and max(result.attack.linf_total) <= 0.1 + 1e-6  # the attack works in fp32
    with pytest.raises(InvalidInputError, match="exceed the null-space step"):
        collide(loaded, inputs, attack="fgsm", eps=0.03, beta=0.02, patch_betas=betas)

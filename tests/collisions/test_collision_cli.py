"""`nullsight collide` end to end: JSON schema, seeds, sweep, PGD (Eq. 6), segmentation, one-line errors."""

import json
import textwrap

import pytest
import torch
from torch import nn

from nullsight.cli import main
from nullsight.collisions import ATTACKS, NullSpaceSearch, run_attack
from nullsight.collisions.runner import record
from nullsight.data import write_idx  # noqa: F401  (data package import registers sources)

KEYS = {"model", "first_layer", "method", "null_dim", "beta", "exact", "max_abs_diff", "max_rel_diff",
        "max_abs_diff_fp64", "first_collision_layer", "psnr", "ssim", "same_top1", "kind"}


@pytest.fixture
def tiny(tmp_path, monkeypatch):
    """A factory module ``tinynets`` with a patchify classifier, an overlapping-conv one and a segmenter."""
    (tmp_path / "tinynets.py").write_text(textwrap.dedent('''
        import torch
        from torch import nn

        class Seg(nn.Module):
            input_size = (3, 32, 32)
            def __init__(self):
                super().__init__()
                self.embed = nn.Conv2d(3, 16, 8, 8)
                self.head = nn.Conv2d(16, 5, 1)
            def forward(self, x):
                return {"out": nn.functional.interpolate(self.head(torch.relu(self.embed(x))), size=x.shape[-2:])}

        def patchify():
            torch.manual_seed(0)
            m = nn.Sequential(nn.Conv2d(3, 16, 8, 8), nn.GELU(), nn.Flatten(), nn.Linear(256, 10))
            m.input_size = (3, 32, 32)
            return m

        def overlapping():
            torch.manual_seed(0)
            m = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 10))
            m.input_size = (3, 16, 16)
            return m

        def seg():
            torch.manual_seed(0)
            return Seg()
    '''))
    monkeypatch.syspath_prepend(str(tmp_path))
    from PIL import Image
    import numpy as np
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(40, 215, (32, 32, 3), dtype=np.uint8)).save(tmp_path / "img.png")
    Image.fromarray(rng.integers(40, 215, (20, 32, 3), dtype=np.uint8)).save(tmp_path / "wrong.png")
    Image.fromarray(rng.integers(40, 215, (32, 32), dtype=np.uint8)).save(tmp_path / "gray.png")
    return tmp_path


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_schema_and_seed(capsys, tiny):
    outs = []
    for _ in range(2):
        code, out, _ = run(capsys, "collide", "tinynets:patchify", "--image", tiny / "img.png", "-f", "json", "-q",
                           "--seed", "3", "--beta", "0.1")
        assert code == 0
        outs.append(json.loads(out))
    data = outs[0]
    assert KEYS <= set(data) and data["kind"] == "collision" and data["command"].startswith("nullsight ")
    assert data["method"] == "patchify" and data["null_dim"] == 192 - 16 and data["exact"] is True
    assert data["max_rel_diff_fp64"] <= 1e-9 and data["first_collision_layer"] == "0"
    assert outs[0].pop("created") and outs[1].pop("created")  # when it was made; the rest is the same
    assert outs[0] == outs[1]


def test_overlapping_conv_cli_is_honest(capsys, tiny):
    code, out, _ = run(capsys, "collide", "tinynets:overlapping", "--image", tiny / "img.png", "--resize", "-f", "json", "-q")
    data = json.loads(out)
    assert code == 0 and data["method"] == "conv-operator" and data["null_dim"] == 0 and data["exact"] is False
    assert "no exact collision exists" in data["message"] and data["max_rel_diff_fp64"] > 1e-6


def test_segmentation_pixelwise(capsys, tiny):
    code, out, _ = run(capsys, "collide", "tinynets:seg", "--image", tiny / "img.png", "-f", "json", "-q")
    data = json.loads(out)
    assert code == 0 and data["exact"] and data["same_top1"]
    assert data["images"][0]["prediction"]["pixel_agreement"] == 1.0


def test_sweep_writes_file(capsys, tiny):
    code, out, _ = run(capsys, "collide-sweep", "tinynets:patchify", "--image", tiny / "img.png", "--betas",
                       "0.01,0.1,1", "--results-dir", tiny / "res", "-f", "json", "-q")
    data = json.loads(out)
    assert code == 0 and data["kind"] == "collision-sweep" and (tiny / "res" / "sweep-tinynets-patchify.json").exists()
    psnrs = [p["psnr_mean"] for p in data["points"]]
    assert psnrs == sorted(psnrs, reverse=True) and all(p["exact_fraction"] == 1.0 for p in data["points"])


def test_pgd_combination():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(3, 16, 8, 8), nn.GELU(), nn.Flatten(), nn.Linear(256, 10)).eval()
    x = 0.2 + 0.6 * torch.rand(4, 3, 32, 32, generator=torch.Generator().manual_seed(0))
    mean, std = [0.5] * 3, [0.25] * 3
    adv = run_attack(model, x, mean, std, "pgd", eps=8 / 255, steps=5)
    assert max(adv.linf) <= 8 / 255 + 1e-6 and any(adv.success)
    search = NullSpaceSearch(model, mean, std, (3, 32, 32), beta=4 / 255)
    result = record(search, search(x, adv.adversarial), attack=adv, attack_input=x.double())
    assert result.exact and result.attack.same_top1_as_adversarial
    assert torch.equal(result.x, adv.adversarial.double())


def one_line_error(capsys, *argv, match):
    code, out, err = run(capsys, *argv)
    assert code != 0 and out == ""
    assert err.count("\n") == 1 and err.startswith("nullsight: error:"), err
    assert match in err


def test_exception_wrong_size(capsys, tiny):
    one_line_error(capsys, "collide", "tinynets:patchify", "--image", tiny / "wrong.png", "-q", match="--resize")


def test_exception_wrong_channels(capsys, tiny):
    one_line_error(capsys, "collide", "tinynets:patchify", "--image", tiny / "gray.png", "-q", match="channel")


def test_resize_when_asked(capsys, tiny):
    code, out, _ = run(capsys, "collide", "tinynets:patchify", "--image", tiny / "wrong.png", "--resize", "-f", "json", "-q")
    assert code == 0 and json.loads(out)["exact"]


def test_exception_saturating_beta_with_box(capsys, tiny):
    one_line_error(capsys, "collide", "tinynets:patchify", "--image", tiny / "img.png", "--beta", "1e6", "--box",
                   "--basis", "0", "-q", match="out of [0, 1]")


def test_exception_bad_basis(capsys, tiny):
    one_line_error(capsys, "collide", "tinynets:patchify", "--image", tiny / "img.png", "--basis", "999", "-q",
                   match="out of range")


def test_no_half_written_output(capsys, tiny):
    target = tiny / "out.json"
    one_line_error(capsys, "collide", "tinynets:patchify", "--image", tiny / "wrong.png", "-o", target, "-q",
                   match="--resize")
    assert not target.exists()


@pytest.mark.parametrize("attack", sorted(ATTACKS.names()))
def test_eq6_keeps_the_budget_for_every_registered_attack(attack):
    from nullsight.collisions.runner import Inputs, collide
    from nullsight.models.zoo import LoadedModel

    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(3, 16, 8, 8), nn.GELU(), nn.Flatten(), nn.Linear(256, 10)).eval()
    x = 0.2 + 0.6 * torch.rand(3, 3, 32, 32, generator=torch.Generator().manual_seed(0))
    loaded = LoadedModel("tiny", model, (3, 32, 32), "factory", "none")
    eps, beta = 16 / 255, 4 / 255
    result = collide(loaded, Inputs(x, "rand", (0.5,) * 3, (0.25,) * 3, [-1] * 3), attack=attack, eps=eps, steps=5,
                     beta=beta)
    a = result.attack
    assert result.exact and a.same_top1_as_adversarial
    assert a.eps == pytest.approx(eps - beta) and a.eps_total == pytest.approx(eps)
    assert a.within_budget and max(a.linf_total) <= eps + 1e-6
    assert 0.0 <= a.success_rate_after <= 1.0 and a.success_rate_after == pytest.approx(a.success_rate)

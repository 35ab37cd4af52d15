"""Colliding interpretations (seed 000's interpretability remark), computed with captum.

For an exact collision saliency and Grad-CAM at the first operator agree to round-off; Integrated Gradients from a
zero baseline differs by exactly P ⊙ avg-grad; a random perturbation of the same size moves all three.
"""

import json
import textwrap

import pytest
import torch
from hypothesis import given, settings, strategies as st
from torch import nn

pytest.importorskip("captum")

from nullsight.cli import main  # noqa: E402
from nullsight.collisions import NullSpaceSearch  # noqa: E402
from nullsight.collisions.interpret import interpret  # noqa: E402
from nullsight.collisions.result import CollisionResult  # noqa: E402
from nullsight.report.sections import build_sections  # noqa: E402


def patchify(channels: int = 1, seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Conv2d(channels, 8, 4, 4), nn.GELU(), nn.Flatten(), nn.Linear(8 * 16, 10)).eval()


@settings(max_examples=5, deadline=None)
@given(seed=st.integers(0, 1000), beta=st.floats(0.01, 1.0), channels=st.sampled_from([1, 3]))
def test_saliency_and_grad_cam_agree_ig_differs_by_p_times_avg_grad(seed, beta, channels):
    model = patchify(channels, seed)
    mean, std = [0.5] * channels, [0.25] * channels
    search = NullSpaceSearch(model, mean, std, (channels, 16, 16), beta=beta, seed=seed)
    x = torch.rand(2, channels, 16, 16, generator=torch.Generator().manual_seed(seed))
    found = search(x)
    assert all(found.verification.exact)
    r = interpret(model, found.x, found.x_hat, mean, std, layer=search.prepare().first.name, ig_steps=8, seed=seed)
    sal, ig, cam = (r.by_method(m) for m in ("saliency", "integrated_gradients", "grad_cam"))
    assert sal.agree and sal.max_rel_diff < 1e-12 and cam.agree and cam.max_rel_diff < 1e-12
    assert not ig.agree and ig.max_rel_diff > 1e-6
    assert ig.predicted_diff_error < 1e-12  # IG(x_hat) - IG(x) == P ⊙ avg-grad to round-off
    assert not sal.control_agree and not ig.control_agree and not cam.control_agree


def test_targets_default_to_prediction_and_maps_are_small():
    model = patchify()
    search = NullSpaceSearch(model, [0.5], [0.25], (1, 16, 16), beta=0.2)
    found = search(torch.rand(3, 1, 16, 16, generator=torch.Generator().manual_seed(1)))
    r = interpret(model, found.x, found.x_hat, [0.5], [0.25], layer="0", ig_steps=4)
    with torch.no_grad():
        assert r.target == model((found.x.float() - 0.5) / 0.25).argmax(1).tolist()
    assert r.maps["saliency_x"].shape[0] == 16 and r.maps["grad_cam_x"].shape[0] == 4 and r.layer == "0"


@pytest.fixture
def tiny(tmp_path, monkeypatch):
    (tmp_path / "interpnets.py").write_text(textwrap.dedent('''
        import torch
        from torch import nn

        def patchify():
            torch.manual_seed(0)
            m = nn.Sequential(nn.Conv2d(3, 16, 8, 8), nn.GELU(), nn.Flatten(), nn.Linear(256, 10))
            m.input_size = (3, 32, 32)
            return m
    '''))
    monkeypatch.syspath_prepend(str(tmp_path))
    import numpy as np
    from PIL import Image
    Image.fromarray(np.random.default_rng(0).integers(40, 215, (32, 32, 3), dtype=np.uint8)).save(tmp_path / "img.png")
    return tmp_path


def test_cli_interpret_round_trip_and_report(capsys, tiny):
    code = main(["collide", "interpnets:patchify", "--image", str(tiny / "img.png"), "--interpret", "-f", "json", "-q",
                 "--beta", "0.1"])
    out, _ = capsys.readouterr()
    assert code == 0
    data = json.loads(out)
    methods = {c["method"]: c for c in data["interpretation"]["comparisons"]}
    assert methods["saliency"]["agree"] and methods["grad_cam"]["agree"] and not methods["integrated_gradients"]["agree"]
    assert data["interpretation"]["library"] == "captum" and data["interpretation"]["layer"] == "0"
    loaded = CollisionResult.from_dict(data)
    assert loaded.interpretation.by_method("grad_cam").agree and loaded.to_dict() == data
    sections = build_sections("collision", [data])
    titles = [f.title for s in sections for f in s.figures]
    assert any("Integrated Gradients" in t for t in titles)


def test_cli_interpret_is_not_a_sweep_option(capsys, tiny):
    code = main(["collide-sweep", "interpnets:patchify", "--image", str(tiny / "img.png"), "--interpret", "-q"])
    _, err = capsys.readouterr()
    assert code == 2 and "--interpret" in err

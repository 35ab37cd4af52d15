"""Seed 001's steganography protocol: hiddens from training images with H and 0.2 H both correct, N per class."""

import json
import textwrap

import pytest
import torch
from torch import nn

from nullsight.cli import main
from nullsight.normalization import PM1
from nullsight.report.sections import build_sections
from nullsight.stego.evaluate import paper_selection
from nullsight.stego.result import StegoEvalResult


def _model() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Flatten(), nn.Linear(16, 3)).eval()


def test_selection_keeps_only_images_right_at_both_scales():
    model = _model()
    g = torch.Generator().manual_seed(0)
    images = torch.rand(300, 1, 4, 4, generator=g)
    x = PM1.to_model(images)
    with torch.no_grad():
        labels = model(x).argmax(1)
    labels[::3] = (labels[::3] + 1) % 3  # a third mislabelled: never selected
    sel = paper_selection(model, PM1, images, labels, alpha1=0.2, per_class=15, seed=1)
    with torch.no_grad():
        ok = (model(x).argmax(1) == labels) & (model(0.2 * x).argmax(1) == labels)
    assert sel.eligible == int(ok.sum()) and sel.candidates == 300
    assert bool(ok[sel.indices].all()) and len(set(sel.indices.tolist())) == len(sel.indices)
    assert sel.selected_per_class == [min(e, 15) for e in sel.eligible_per_class]
    counts = torch.bincount(labels[sel.indices], minlength=3).tolist()
    assert counts == sel.selected_per_class
    assert torch.equal(sel.indices, paper_selection(model, PM1, images, labels, 0.2, 15, 1).indices)  # seeded


@pytest.fixture
def tiny(tmp_path, monkeypatch):
    (tmp_path / "protonets.py").write_text(textwrap.dedent('''
        import torch
        from torch import nn

        def mlp():
            torch.manual_seed(0)
            m = nn.Sequential(nn.Flatten(), nn.Linear(64, 20), nn.ReLU(), nn.Linear(20, 10))
            m.input_size = (1, 8, 8)
            return m
    '''))
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def test_cli_paper_protocol_records_both_definitions(capsys, tiny):
    code = main(["stego", "eval", "protonets:mlp", "--cover-data", "digits", "--hidden-data", "digits",
                 "--protocol", "paper", "--per-class", "3", "--noise", "0.01"])
    captured = capsys.readouterr()
    assert code == 0
    data = json.loads(captured.out)
    p = data["paper_protocol"]
    assert data["protocol"] == "paper" and data["split"] == "train" and data["n"] == sum(p["selected_per_class"])
    assert all(s <= 3 for s in p["selected_per_class"]) and p["eligible"] <= p["candidates"]
    assert data["paper_success_rate"] == data["success_vs_label"]
    assert data["agrees_with_scaled_hidden"] == 1.0  # f(S) = f(0.2 H) by construction
    assert StegoEvalResult.from_dict(data).to_dict() == data
    assert any("paper's protocol" in s.title for s in build_sections("stego-eval", [data]))


def test_cli_protocol_refused(capsys, tiny):
    assert main(["stego", "eval", "protonets:mlp", "--cover-data", "digits", "--protocol", "theirs"]) != 0
    assert "--protocol" in capsys.readouterr().err

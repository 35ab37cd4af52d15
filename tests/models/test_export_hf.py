"""export-hf: the transformers pipeline loads the directory offline and agrees with `nullsight predict`."""

import json

import numpy as np
import pytest
import torch
from PIL import Image

from nullsight.cli import main
from nullsight.models import save_state_dict
from nullsight.models.mlp import MLP
from nullsight.models.nula import Nula

META = {"nullsight.arch": "nullsight:nula-w0.125", "nullsight.mean": "0.5,0.5,0.5", "nullsight.std": "0.5,0.5,0.5"}


@pytest.fixture
def checkpoint(tmp_path):
    torch.manual_seed(0)
    model = Nula(width=0.125).eval()
    with torch.no_grad():  # non-trivial BatchNorm statistics, so that a lost buffer would show
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.2, 0.2), m.running_var.uniform_(0.5, 2.0)
    path = tmp_path / "nula.safetensors"
    save_state_dict(model, path, META)
    return path


def _images(tmp_path):
    rng = np.random.default_rng(0)
    rgba, gray = tmp_path / "rgba.png", tmp_path / "gray.png"
    Image.fromarray(rng.integers(0, 256, (40, 50, 4), dtype=np.uint8), "RGBA").save(rgba)
    Image.fromarray(rng.integers(0, 256, (28, 28), dtype=np.uint8), "L").save(gray)
    return [rgba, gray]


def test_pipeline_round_trip_matches_predict(tmp_path, checkpoint, monkeypatch, capsys):
    transformers = pytest.importorskip("transformers")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    out = tmp_path / "hf"
    assert main(["export-hf", str(checkpoint), str(out)]) == 0
    assert {"config.json", "model.safetensors", "modeling_nula.py", "preprocessor_config.json"} <= {p.name for p in out.iterdir()}
    classifier = transformers.pipeline("image-classification", model=str(out), trust_remote_code=True)
    images = _images(tmp_path)
    pred = tmp_path / "pred.json"
    assert main(["predict", str(checkpoint), *map(str, images), "--top-k", "3", "--out", str(pred)]) == 0
    ours = json.loads(pred.read_text())["predictions"]
    for image, mine in zip(images, ours):
        theirs = classifier(str(image), top_k=3)
        assert [r["label"] for r in theirs] == mine["labels"]
        assert [r["score"] for r in theirs] == pytest.approx(mine["scores"], abs=1e-5)


def test_standalone_modeling_matches_nula(checkpoint):
    pytest.importorskip("transformers")
    from nullsight.nula.hf_code.modeling_nula import Nula as StandaloneNula
    from nullsight.models import load_model

    ours = load_model(str(checkpoint)).module.eval()
    theirs = StandaloneNula(width=0.125).eval()
    theirs.load_state_dict(ours.state_dict())
    x = torch.randn(2, 3, 32, 32)
    assert torch.allclose(ours(x), theirs(x), atol=1e-6)


def test_other_architecture_refused(tmp_path, capsys):
    path = tmp_path / "mlp.safetensors"
    save_state_dict(MLP(), path, {"nullsight.arch": "nullsight:mlp"})
    assert main(["export-hf", str(path), str(tmp_path / "hf")]) != 0
    assert "export-hf writes NULA checkpoints" in capsys.readouterr().err
    assert not (tmp_path / "hf").exists()

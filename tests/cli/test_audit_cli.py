"""`nullsight audit` end to end: JSON schema, formats, and one-line errors with non-zero exits."""

import json

import pytest
import torch

from nullsight.cli import main
from nullsight.models import MLP, save_state_dict
from nullsight.models.zoo import ARCH_METADATA_KEY


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_schema(capsys):
    code, out, _ = run(capsys, "audit", "nullsight:mlp", "--format", "json", "--quiet")
    assert code == 0
    data = json.loads(out)
    assert data["kind"] == "audit" and data["command"].startswith("nullsight ")
    assert (data["n_weights"], data["nu"], data["mu"], data["nullity_first"]) == (3, 3, 3, 752)
    assert {"name", "rows", "cols", "rank", "nullity", "structural_nullity", "sigma_max", "sigma_min"} <= set(data["layers"][0])


def test_same_seed_same_json(capsys, tmp_path):
    outs = []
    for name in ("a.json", "b.json"):
        assert run(capsys, "audit", "torchvision:squeezenet1_1", "--seed", "7", "-f", "json", "-q", "-o", str(tmp_path / name))[0] == 0
        outs.append(json.loads((tmp_path / name).read_text()))
    for out in outs:
        out.pop("command"), out.pop("created")  # what made it and when; the rest is the same
    assert outs[0] == outs[1]


def test_csv_and_markdown(capsys):
    code, out, _ = run(capsys, "audit", "nullsight:mlp", "--format", "csv", "-q")
    assert code == 0 and out.splitlines()[0].startswith("model,name,module_type,rows,cols,rank,nullity")
    assert len(out.splitlines()) == 4
    code, out, _ = run(capsys, "audit", "nullsight:mlp", "--format", "markdown", "-q")
    assert code == 0 and "| nullsight:mlp | 3 | 3 |" in out


def test_checkpoint_file(capsys, tmp_path):
    path = save_state_dict(MLP(), tmp_path / "m.safetensors", {ARCH_METADATA_KEY: "nullsight:mlp"})
    code, out, _ = run(capsys, "audit", str(path), "-f", "json", "-q")
    assert code == 0 and json.loads(out)["nullity_first"] == 752


def one_line_error(capsys, *argv, match):
    code, out, err = run(capsys, *argv)
    assert code != 0
    assert err.count("\n") == 1 and err.startswith("nullsight: error:"), err
    assert match in err
    return out


def test_exception_unknown_model(capsys):
    one_line_error(capsys, "audit", "torchvision:resnet5", "-q", match="did you mean")


def test_exception_missing_and_corrupt_and_unsafe_files(capsys, tmp_path):
    one_line_error(capsys, "audit", str(tmp_path / "none.pth"), "--arch", "nullsight:mlp", match="not found")
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"garbage")
    one_line_error(capsys, "audit", str(bad), "--arch", "nullsight:mlp", match="unreadable")
    evil = tmp_path / "evil.pth"
    torch.save({"x": torch.ones(1), "f": print}, evil)
    one_line_error(capsys, "audit", str(evil), "--arch", "nullsight:mlp", match="refusing")


def test_exception_nan_weights(capsys, tmp_path):
    model = MLP()
    with torch.no_grad():
        model.layers[1].weight[0, 0] = float("inf")
    path = save_state_dict(model, tmp_path / "nan.safetensors", {ARCH_METADATA_KEY: "nullsight:mlp"})
    one_line_error(capsys, "audit", str(path), "-q", match="layers.1.weight")


def test_exception_no_matrices(capsys):
    one_line_error(capsys, "audit", "torch.nn:ReLU", "-q", match="no weight")


def test_exception_unwritable_output_leaves_no_file(capsys, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    target = blocker / "out.json"
    one_line_error(capsys, "audit", "nullsight:mlp", "-f", "json", "-q", "-o", str(target), match="cannot write")
    assert not target.exists()


def test_exception_bad_input_size(capsys):
    one_line_error(capsys, "audit", "nullsight:mlp", "--input-size", "a,b", "-q", match="--input-size")

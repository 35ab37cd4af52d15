"""``nullsight atlas run | export | show``: a small atlas end to end, and bad input as one line with exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nullsight.atlas.export import read_parquet
from nullsight.atlas.result import AtlasResult
from nullsight.cli import app, main
from nullsight.schema import validate

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


def test_run_export_show(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    store = str(tmp_path / "atlas.sqlite")
    ran = invoke("atlas", "run", "--models", "timm:deit_tiny_patch16_224,torchvision:squeezenet1_1", "--engine",
                 "sequential", "--store", store, "-q")
    assert ran.exit_code == 0, ran.output
    out = tmp_path / "out"
    exported = invoke("atlas", "export", "--store", store, "--out-dir", str(out))
    assert exported.exit_code == 0, exported.output
    data = json.loads((out / "atlas.json").read_text())
    validate(AtlasResult, data)
    assert [r["architecture"] for r in data["rows"]] == ["timm:deit_tiny_patch16_224", "torchvision:squeezenet1_1"]
    assert data["weights_note"] == "generic weights: random initialisation, seed 0"
    loaded = AtlasResult.from_dict(data)
    assert loaded.rows[0].verdict == "exact" and loaded.rows[0].source == "timm"
    table = read_parquet(out / "atlas.parquet")
    assert table[0]["evidence.generic_weights"] is True and table[0]["audit.nullity_first_structural"] == 576
    assert (out / "atlas.html").is_file() and "deit_tiny_patch16_224" in (out / "atlas.html").read_text()
    shown = invoke("atlas", "show", "torchvision:squeezenet1_1", "--store", store)
    assert shown.exit_code == 0 and json.loads(shown.stdout)["first_operator"]["kind"] == "conv"


@pytest.mark.parametrize("args, message", [
    (["run", "--models", "timm:definitely_not_a_model"], "matches no architecture"),
    (["run", "--engine", "threads", "--models", "timm:resnet18"], "--engine"),
    (["run", "--sources", "keras"], "unknown source"),
    (["run", "--weights", "default", "--models", "timm:resnet18"], "does not download"),
    (["run", "--timeout", "0"], "must be >"),
    (["export", "--store", "/nonexistent/atlas.sqlite"], "no atlas store"),
])
def test_bad_input_is_one_line_and_exit_2(args: list[str], message: str, capsys) -> None:
    assert main(["atlas", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and (err.count("\n") == 0 or "Usage" in err)

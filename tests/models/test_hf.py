"""``hf:DIR``: tiny transformers models saved here with save_pretrained audit with every weight in its applied
orientation."""

import importlib.util
from pathlib import Path

import pytest
import torch

from nullsight.audit import audit_model
from nullsight.errors import CheckpointError, ModelNotFoundError
from nullsight.models import load_model

transformers = pytest.importorskip("transformers")


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """examples/hf_tiny.py's BERT, GPT-2 and ViT, saved with save_pretrained."""
    spec = importlib.util.spec_from_file_location("hf_tiny", Path(__file__).resolve().parents[2] / "examples" / "hf_tiny.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    root = tmp_path_factory.mktemp("hf")
    module.save_tiny(root)
    return root


def _applied_shapes(module, example):
    """``name -> (input's last axis, output's last axis)`` of every Linear / Conv1D / Embedding as called."""
    seen, handles = {}, []
    for name, m in module.named_modules():
        if type(m).__name__ in ("Linear", "Conv1D", "Embedding"):
            def hook(_m, inputs, output, name=name):
                seen.setdefault(name, (inputs[0].shape[-1], output.shape[-1]))
            handles.append(m.register_forward_hook(hook))
    with torch.no_grad():
        module(example)
    for h in handles:
        h.remove()
    return seen


@pytest.mark.parametrize("name, first", [("bert", "bert.embeddings.word_embeddings.weight"),
                                         ("gpt2", "transformer.wte.weight"),
                                         ("vit", "vit.embeddings.patch_embeddings.projection.weight")])
def test_every_weight_is_audited_in_its_applied_orientation(saved, name, first):
    loaded = load_model(f"hf:{saved / name}", weights="default")
    example = loaded.example_input()
    audit = audit_model(loaded.module, loaded.spec, example)
    assert audit.first_weight == first and audit.first_weight_found_by == "forward-trace"
    applied = _applied_shapes(loaded.module, example)
    modules = dict(loaded.module.named_modules())
    checked = 0
    for layer in audit.layers:
        module_name = layer.name.rsplit(".", 1)[0]
        if module_name not in applied:
            continue
        n_in, n_out = applied[module_name]
        assert layer.rows == n_out, layer.name  # the matrix maps what the module receives to what it returns
        if layer.module_type == "Embedding":
            assert layer.cols == modules[module_name].num_embeddings and layer.orientation == "transposed"
        else:
            assert layer.cols == n_in, layer.name
        checked += 1
    assert checked >= 6
    audited = {l.name for l in audit.layers} | {s.name for s in audit.skipped}
    assert audited == {n for n, _ in loaded.module.named_parameters(remove_duplicate=False)}


def test_gpt2_conv1d_is_transposed_and_its_tied_head_listed(saved):
    loaded = load_model(f"hf:{saved / 'gpt2'}", weights="default")
    audit = audit_model(loaded.module, loaded.spec, loaded.example_input())
    layers = {l.name: l for l in audit.layers}
    c_attn = layers["transformer.h.0.attn.c_attn.weight"]  # stored 16 x 48 (in x out)
    assert (c_attn.rows, c_attn.cols, c_attn.orientation, c_attn.module_type) == (48, 16, "transposed", "Conv1D")
    fc_out = layers["transformer.h.0.mlp.c_proj.weight"]  # stored 64 x 16: applied 16 x 64, nullity 48
    assert (fc_out.rows, fc_out.cols, fc_out.nullity) == (16, 64, 48)
    assert {s.name: s.reason for s in audit.skipped}["lm_head.weight"].startswith("tied to transformer.wte.weight")


def test_weights_none_builds_from_config_and_default_loads_the_saved_weights(saved):
    path = saved / "bert"
    stored = load_model(f"hf:{path}", weights="default").module.state_dict()
    fresh = load_model(f"hf:{path}", weights="none", seed=1).module.state_dict()
    again = load_model(f"hf:{path}", weights="default").module.state_dict()
    key = "bert.encoder.layer.0.attention.self.query.weight"
    assert torch.equal(stored[key], again[key]) and not torch.equal(stored[key], fresh[key])


def test_missing_model_and_missing_weights_are_one_line_errors(saved, tmp_path):
    with pytest.raises(ModelNotFoundError, match="does not download"):
        load_model(f"hf:{tmp_path / 'nothing'}")
    (tmp_path / "cfg").mkdir()
    (saved / "vit" / "config.json").replace(tmp_path / "cfg" / "config.json")
    try:
        with pytest.raises(CheckpointError, match="--weights none"):
            load_model(f"hf:{tmp_path / 'cfg'}", weights="default")
        assert load_model(f"hf:{tmp_path / 'cfg'}").input_size == (3, 16, 16)
    finally:
        (tmp_path / "cfg" / "config.json").replace(saved / "vit" / "config.json")


@pytest.mark.parametrize("name", ["bert", "gpt2", "vit"])
def test_streamed_from_the_files_equals_the_built_model(saved, name):
    from nullsight.audit.streaming import stream_spec

    loaded = load_model(f"hf:{saved / name}", weights="default")
    built = audit_model(loaded.module, loaded.spec, loaded.example_input())
    streamed = stream_spec(f"hf:{saved / name}")  # checkpoint keys renamed as transformers does on load
    key = lambda a: [(l.name, l.rows, l.cols, l.rank, l.orientation) for l in a.layers]  # noqa: E731
    assert key(streamed) == key(built) and streamed.first_weight == built.first_weight


def test_cli_audits_hf_dir_built_and_streamed(saved, tmp_path):
    import json

    from typer.testing import CliRunner

    from nullsight.cli.app import app

    for extra, out in (([], tmp_path / "built.json"), (["--stream"], tmp_path / "streamed.json")):
        result = CliRunner().invoke(app, ["audit", f"hf:{saved / 'gpt2'}", "--weights", "default", "-q", "-o", str(out),
                                          *extra])
        assert result.exit_code == 0, result.output
    built, streamed = (json.loads(p.read_text()) for p in (tmp_path / "built.json", tmp_path / "streamed.json"))
    assert [l["orientation"] for l in built["layers"]] == [l["orientation"] for l in streamed["layers"]]
    assert {l["name"]: l["orientation"] for l in built["layers"]}["transformer.h.0.mlp.c_fc.weight"] == "transposed"

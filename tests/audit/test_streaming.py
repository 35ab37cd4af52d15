"""The audit of a checkpoint straight from its files, tensor by tensor: the same answer as building the model."""

import json

import pytest
import torch
from torch import nn
from typer.testing import CliRunner

from nullsight.audit import audit_model
from nullsight.audit.streaming import stream_audit, stream_spec
from nullsight.errors import CheckpointError, InvalidInputError, NonFiniteWeightError
from nullsight.models import save_state_dict
from nullsight.models.streaming import checkpoint_files, iter_tensors, read_entries, save_sharded

ARCH = "tests.audit.test_streaming:build"


class Mixed(nn.Module):
    """Every kind of weight the layout must arrange: conv, transposed conv, LSTM gates, embedding, linear."""

    input_size = (3, 8, 8)

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.up = nn.ConvTranspose2d(4, 6, 2, stride=2, groups=2)
        self.emb = nn.Embedding(30, 5)
        self.lstm = nn.LSTM(6, 3, batch_first=True)
        self.head = nn.Linear(3, 7)

    def forward(self, x):
        y = self.up(self.conv(x)).mean(dim=(2, 3))[:, None, :]
        return self.head(self.lstm(y)[0][:, -1])


def build():
    return Mixed()


def _key(audit):
    return {l.name: (l.rows, l.cols, l.rank, l.nullity, l.blocks, l.group_nullity_sum) for l in audit.layers}


@pytest.fixture()
def model():
    torch.manual_seed(0)
    return Mixed()


def test_sharded_checkpoint_audits_as_the_built_model(model, tmp_path):
    index = save_sharded(model.state_dict(), tmp_path, max_shard_bytes=400, metadata={"nullsight.arch": ARCH})
    assert len(checkpoint_files(index)) >= 3
    streamed = stream_spec(str(index))
    built = audit_model(model, "m", torch.rand(1, 3, 8, 8))
    assert _key(streamed) == _key(built)
    assert streamed.first_weight == "conv.weight" == built.first_weight
    assert streamed.first_weight_found_by == "forward-trace"
    assert {s.name for s in streamed.skipped} == {s.name for s in built.skipped}
    assert [l.name for l in streamed.layers] == [l.name for l in built.layers]  # the module's order


def test_ddp_prefixed_keys_find_their_parameters(model, tmp_path):
    state = {f"module.{k}": v for k, v in model.state_dict().items()}
    path = save_state_dict(state, tmp_path / "ddp.safetensors", metadata={"nullsight.arch": ARCH})
    assert _key(stream_spec(str(path))) == _key(audit_model(model, "m"))


def test_without_an_architecture_the_orientation_is_assumed_and_said(model, tmp_path):
    path = save_state_dict(model, tmp_path / "m.safetensors")
    audit = stream_spec(str(path))
    layers = {l.name: l for l in audit.layers}
    assert layers["emb.weight"].orientation.startswith("transposed (assumed")
    assert (layers["emb.weight"].rows, layers["emb.weight"].cols) == (5, 30)
    assert layers["conv.weight"].orientation == "stored (assumed: no architecture)"
    assert audit.first_weight is None and "--arch" in audit.first_weight_found_by
    assert stream_spec(str(path), arch=ARCH).first_weight == "conv.weight"


def test_fp16_tensors_and_integer_buffers(tmp_path):
    state = {"a.weight": torch.randn(6, 4).half(), "a.bias": torch.zeros(6).half(), "steps": torch.tensor([3])}
    path = save_state_dict(state, tmp_path / "h.safetensors")
    audit = stream_audit(read_entries([path]), "h")
    assert [(l.name, l.rows, l.cols, l.nullity) for l in audit.layers] == [("a.weight", 6, 4, 0)]
    assert {s.name: s.reason.split(":")[0] for s in audit.skipped} == {"a.bias": "bias",
                                                                       "steps": "I64 tensor (an index, a count or quantised storage), not a float matrix"}


def test_tensors_come_one_at_a_time_and_equal_the_stored_ones(model, tmp_path):
    path = save_state_dict(model, tmp_path / "m.safetensors")
    state = model.state_dict()
    for entry, tensor in iter_tensors(read_entries([path])):
        assert torch.equal(tensor, state[entry.name])


def test_nan_names_the_tensor_and_its_file(model, tmp_path):
    state = model.state_dict()
    state["head.weight"][0, 0] = float("nan")
    index = save_sharded(state, tmp_path, max_shard_bytes=400)
    with pytest.raises(NonFiniteWeightError, match=r"head\.weight \(1 value\) of model-000"):
        stream_spec(str(index))


def test_missing_shard_and_bad_index_are_checkpoint_errors(model, tmp_path):
    index = save_sharded(model.state_dict(), tmp_path, max_shard_bytes=400)
    next(tmp_path.glob("model-00002-*")).unlink()
    with pytest.raises(CheckpointError, match="missing shard"):
        stream_spec(str(index))
    index.write_text("{}")
    with pytest.raises(CheckpointError, match="weight_map"):
        stream_spec(str(index))
    with pytest.raises(InvalidInputError, match="--stream reads"):
        stream_spec("torchvision:resnet18")


def test_cli_audits_an_index_and_writes_json(model, tmp_path):
    from nullsight.cli.app import app

    index = save_sharded(model.state_dict(), tmp_path / "ckpt", max_shard_bytes=400, metadata={"nullsight.arch": ARCH})
    out = tmp_path / "audit.json"
    result = CliRunner().invoke(app, ["audit", str(index), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert data["first_weight"] == "conv.weight" and data["n_weights"] == 6
    assert {s["name"] for s in data["skipped"]} >= {"conv.bias", "lstm.bias_ih_l0"}


def test_weight_norm_factors_are_listed_and_the_computed_weight_said_missing(tmp_path):
    torch.manual_seed(0)
    index = save_sharded(build_weight_normed().state_dict(), tmp_path, max_shard_bytes=10**6,
                         metadata={"nullsight.arch": "tests.audit.test_streaming:build_weight_normed"})
    audit = stream_spec(str(index))
    reasons = {s.name: s.reason for s in audit.skipped}
    assert [l.name for l in audit.layers] == ["2.weight"]
    assert reasons["0.weight"].startswith("not in the checkpoint files")
    assert reasons["0.parametrizations.weight.original1"].startswith("a factor of 0.weight")


def build_weight_normed():
    return nn.Sequential(nn.utils.parametrizations.weight_norm(nn.Conv1d(2, 3, 4)), nn.Flatten(), nn.Linear(15, 2))

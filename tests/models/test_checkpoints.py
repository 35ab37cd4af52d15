"""Checkpoints load only through safetensors or weights_only pickles; everything else is refused."""

import os
import random

import pytest
import torch

from nullsight.errors import CheckpointError, UnsafeCheckpointError
from nullsight.models import MLP, load_model, load_state_dict, save_state_dict
from nullsight.models.zoo import ARCH_METADATA_KEY


class Payload:
    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_pickle_that_would_run_code_is_refused(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.pth"
    torch.save({"weight": torch.ones(2), "payload": Payload(str(marker))}, path)
    with pytest.raises(UnsafeCheckpointError, match="could run code"):
        load_state_dict(path)
    assert not marker.exists()


def test_safetensors_round_trip_with_arch_metadata(tmp_path):
    torch.manual_seed(1)
    model = MLP()
    path = save_state_dict(model, tmp_path / "mlp.safetensors", {ARCH_METADATA_KEY: "nullsight:mlp"})
    loaded = load_model(str(path))
    assert loaded.source == "file"
    for a, b in zip(model.state_dict().values(), loaded.module.state_dict().values()):
        assert torch.equal(a, b)


def test_plain_pth_state_dict_with_arch_and_ddp_prefix(tmp_path):
    model = MLP()
    path = tmp_path / "mlp.pth"
    torch.save({"state_dict": {f"module.{k}": v for k, v in model.state_dict().items()}}, path)
    loaded = load_model(str(path), arch="nullsight:mlp")
    assert torch.equal(loaded.module.layers[1].weight, model.layers[1].weight)


@pytest.mark.parametrize("suffix", [".pth", ".safetensors"])
def test_corrupt_file_is_one_line_error(tmp_path, suffix):
    path = tmp_path / f"bad{suffix}"
    path.write_bytes(b"\x00not a checkpoint at all" * 10)
    with pytest.raises(CheckpointError) as info:
        load_state_dict(path)
    assert "\n" not in str(info.value) and str(path) in str(info.value)


def test_missing_file_and_wrong_architecture(tmp_path):
    with pytest.raises(CheckpointError, match="not found"):
        load_state_dict(tmp_path / "nope.pth")
    path = tmp_path / "mlp.pth"
    torch.save(MLP((784, 20, 10)).state_dict(), path)
    with pytest.raises(CheckpointError, match="does not fit"):
        load_model(str(path), arch="nullsight:mlp")


def test_safetensors_recognised_by_header_whatever_the_suffix(tmp_path):
    from nullsight.models.checkpoints import read_metadata, sniff

    path = save_state_dict(MLP(), tmp_path / "m.safetensors", {ARCH_METADATA_KEY: "nullsight:mlp"})
    for name in ("m", "m.pth", "m.bin"):
        other = tmp_path / name
        other.write_bytes(path.read_bytes())
        assert sniff(other) == "safetensors" and read_metadata(other)[ARCH_METADATA_KEY] == "nullsight:mlp"
        assert load_model(str(other)).spec == str(other)
    torch.save(MLP().state_dict(), tmp_path / "p.safetensors")
    assert sniff(tmp_path / "p.safetensors") == "pickle" and load_state_dict(tmp_path / "p.safetensors")


@pytest.mark.parametrize("content", [random.Random(0).randbytes(2048), b"", b"{" * 100, b"PK"])
def test_unreadable_bytes_are_called_unreadable(tmp_path, content):
    path = tmp_path / "w.pth"
    path.write_bytes(content)
    with pytest.raises(CheckpointError) as info:
        load_state_dict(path)
    assert not isinstance(info.value, UnsafeCheckpointError) and "would run code" not in str(info.value)


def test_garbage_after_a_pickle_header_is_corrupt_not_hostile(tmp_path):
    """Random bytes behind the pickle PROTO opcode fail in the weights-only unpickler in several ways (an unknown
    opcode, IndexError, KeyError, UnicodeDecodeError): each is one CheckpointError calling the file unreadable,
    never a refusal that calls it a hostile pickle (1 random file in 256 starts with that byte)."""
    path = tmp_path / "w.pth"
    rng = random.Random(0)
    messages = set()
    for _ in range(300):
        path.write_bytes(b"\x80" + rng.randbytes(1023))
        with pytest.raises(CheckpointError) as info:
            load_state_dict(path)
        assert not isinstance(info.value, UnsafeCheckpointError), info.value
        assert "unreadable checkpoint" in str(info.value)
        messages.add(str(info.value).split(": ")[1].split(" ")[0])
    assert {"not", "IndexError"} <= messages  # both the unknown opcode and an unpickler crash were met


@pytest.mark.parametrize("name", ["layers.1.bias", "layers.5.weight"])
def test_nan_in_any_tensor_is_named(tmp_path, name):
    from nullsight.errors import NonFiniteWeightError

    model = MLP()
    with torch.no_grad():
        model.get_parameter(name).view(-1)[:2] = float("inf")
    path = save_state_dict(model, tmp_path / "m.safetensors", {ARCH_METADATA_KEY: "nullsight:mlp"})
    with pytest.raises(NonFiniteWeightError, match=rf"{name} \(2 values\)"):
        load_model(str(path))


def test_buffers_are_checked_too():
    from nullsight.errors import NonFiniteWeightError
    from nullsight.models.checkpoints import check_finite

    norm = torch.nn.BatchNorm1d(3)
    norm.running_var[1] = float("nan")
    with pytest.raises(NonFiniteWeightError, match=r"running_var \(1 value\)"):
        check_finite(norm, "bn")


def test_state_mismatch_names_keys_and_shapes():
    from nullsight.models.checkpoints import state_mismatch

    expected = MLP().state_dict()
    given = {k: v for k, v in MLP((784, 20, 16, 10)).state_dict().items() if k != "layers.5.bias"}
    given["extra"] = torch.zeros(1)
    text = state_mismatch(expected, given)
    assert "missing 1 key(s): layers.5.bias" in text and "unexpected 1 key(s): extra" in text
    assert "layers.1.weight 20x784 vs 32x784" in text and "\n" not in text
    assert state_mismatch(expected, expected) == ""


def test_self_referencing_architecture_is_refused(tmp_path):
    path = save_state_dict(MLP(), tmp_path / "m.safetensors", {ARCH_METADATA_KEY: str(tmp_path / "m.safetensors")})
    with pytest.raises(CheckpointError, match="names a file"):
        load_model(str(path))


def test_save_state_dict_gives_the_same_bytes_for_the_same_metadata(tmp_path):
    """safetensors writes metadata in a random order; the saved file sorts it (a rerun's files compare equal)."""
    from nullsight.models.checkpoints import read_metadata

    metadata = {f"key{i}": f"é \"{i}\"\n" for i in range(12)}
    files = []
    for i in range(5):
        path = save_state_dict({"w": torch.arange(6.0), "b": torch.ones(2)}, tmp_path / f"{i}.safetensors", metadata)
        files.append(path.read_bytes())
        assert read_metadata(path) == metadata and torch.equal(load_state_dict(path)["w"], torch.arange(6.0))
    assert len(set(files)) == 1

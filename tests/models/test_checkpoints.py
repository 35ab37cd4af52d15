"""Checkpoints load only through safetensors or weights_only pickles; everything else is refused."""

import os

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

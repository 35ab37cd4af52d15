"""One provenance base: every result kind carries it and declares none of its fields again; one helper stamps it."""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
from datetime import datetime
from pathlib import Path

import pytest

from nullsight.provenance import PROVENANCE_KEYS, Provenance, fill_provenance, portable_path, stamp
from nullsight.results import load_result_kinds, result_from_dict
from nullsight.versions import versions

KINDS = load_result_kinds()
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "results"


def test_the_base_holds_the_seven_fields():
    assert tuple(f.name for f in dataclasses.fields(Provenance)) == PROVENANCE_KEYS


@pytest.mark.parametrize("kind", KINDS.names())
def test_every_kind_carries_the_base_and_declares_none_of_it_again(kind: str):
    cls = KINDS.get(kind)
    assert issubclass(cls, Provenance)
    for klass in cls.__mro__:
        if klass is Provenance:
            break
        own = set(vars(klass).get("__annotations__", {}))
        assert not own & set(PROVENANCE_KEYS), f"{klass.__name__} declares {sorted(own & set(PROVENANCE_KEYS))} again"
    assert {f.name for f in dataclasses.fields(cls) if f.name in PROVENANCE_KEYS} == set(PROVENANCE_KEYS)
    assert all(f.kw_only for f in dataclasses.fields(cls) if f.name in PROVENANCE_KEYS)
    for name in cls.PATH_FIELDS:
        assert name in {f.name for f in dataclasses.fields(cls)}, f"{kind}: PATH_FIELDS names no field {name!r}"


def test_portable_path():
    cwd, tmp, home = os.getcwd(), tempfile.gettempdir(), str(Path.home())
    assert portable_path(os.path.join(cwd, "checkpoints", "m.safetensors")) == "checkpoints/m.safetensors"
    assert portable_path(os.path.join(tmp, "seeds", "m.pt")) == "seeds/m.pt"
    if not cwd.startswith(home + os.sep):
        assert portable_path(os.path.join(home, ".cache", "m.pt")) == "~/.cache/m.pt"
    assert portable_path("folder:" + os.path.join(cwd, "imgs")) == "folder:imgs"
    for unchanged in ("nullsight:mlp-digits", "hf:/models/llama-7b", "torchvision:resnet18", "fashion-mnist",
                      "relative/m.pt", "/opt/elsewhere/m.pt"):
        assert portable_path(unchanged) == unchanged


def test_stamp_fills_versions_time_command_and_portable_paths():
    cls = KINDS.get("train")
    data = json.loads((FIXTURES / "train.json").read_text())
    result = result_from_dict(data)
    result.checkpoint = os.path.join(os.getcwd(), "checkpoints", "x.safetensors")
    result.model = os.path.join(tempfile.gettempdir(), "m.safetensors")
    result.versions, result.created = {}, None
    assert stamp(result, command="nullsight train x") is result
    assert type(result) is cls
    assert result.versions == versions() and result.command == "nullsight train x"
    assert datetime.fromisoformat(result.created).tzinfo is not None
    assert (result.checkpoint, result.model) == ("checkpoints/x.safetensors", "m.safetensors")
    kept = stamp(result)  # no command given: the one recorded stays
    assert kept.command == "nullsight train x"


def test_older_json_loads_and_the_migration_makes_its_missing_keys_explicit():
    data = json.loads((FIXTURES / "audit.json").read_text())
    old = {k: v for k, v in data.items() if k not in ("data", "split", "created", "versions")}
    typed = result_from_dict(old)  # loads as it is
    assert typed.data is None and typed.versions == {} and typed.model == data["model"]
    assert json.loads(json.dumps(typed.to_dict())) == fill_provenance(old)
    assert fill_provenance(data) == data

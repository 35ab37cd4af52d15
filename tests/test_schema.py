"""Every result kind publishes a JSON Schema, and every committed result validates against the schema of its kind."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nullsight.cli import main
from nullsight.errors import InvalidInputError
from nullsight.results import load_result_kinds
from nullsight.schema import json_schema, validate

ROOT = Path(__file__).resolve().parents[1]
KINDS = load_result_kinds()


def _committed() -> list[tuple[str, dict]]:
    found = []
    for path in sorted((ROOT / "results").rglob("*.json")) + sorted((ROOT / "tests/fixtures/results").glob("*.json")):
        if path.name.startswith("bench-"):
            continue  # benchmark records: timings, not results of a kind
        data = json.loads(path.read_text())
        if isinstance(data, dict) and "kind" not in data:
            continue  # a record of a tool (results/mutation.json), not a result of a kind
        for i, item in enumerate(data if isinstance(data, list) else [data]):
            found.append((f"{path.relative_to(ROOT)}#{i}", item))
    return found


COMMITTED = _committed()


@pytest.mark.parametrize("kind", KINDS.names())
def test_every_kind_has_a_schema(kind: str) -> None:
    schema = json_schema(KINDS.get(kind))
    assert schema["properties"]["kind"]["const"] == kind
    assert schema["additionalProperties"] is False
    json.dumps(schema)  # publishable as it is


@pytest.mark.parametrize("name,data", COMMITTED, ids=[name for name, _ in COMMITTED])
def test_committed_result_matches_its_schema(name: str, data: dict) -> None:
    validate(KINDS.get(data["kind"]), data)


def test_a_wrong_field_type_is_named() -> None:
    data = next(d for _, d in COMMITTED if d["kind"] == "train")
    broken = {**data, "config": {**data["config"], "epochs": "many"}}
    with pytest.raises(InvalidInputError, match=r"config\.epochs"):
        validate(KINDS.get("train"), broken)


def test_an_unknown_key_is_refused() -> None:
    data = next(d for _, d in COMMITTED if d["kind"] == "train")
    with pytest.raises(InvalidInputError, match="surprise"):
        validate(KINDS.get("train"), {**data, "surprise": 1})


def test_schema_command(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["schema"]) == 0
    assert "collision" in capsys.readouterr().out.split()
    assert main(["schema", "collision", "-o", str(tmp_path / "s.json")]) == 0
    assert json.loads((tmp_path / "s.json").read_text())["properties"]["kind"]["const"] == "collision"
    assert main(["schema", "no-such-kind"]) == 2
    assert "no-such-kind" in capsys.readouterr().err

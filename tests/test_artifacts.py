"""Results without pixels: pictures and tensors beside the JSON (relative path, sha256), typed fields only,
and committed results that stay small."""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from pathlib import Path
from typing import Any

import pytest
import torch

from nullsight.artifacts import Artifact, bind_artifacts, save_artifacts
from nullsight.errors import InvalidInputError
from nullsight.io import output_group, to_json
from nullsight.results import Result, load_result_kinds, result_from_dict

RESULTS = Path(__file__).resolve().parents[1] / "results"
MAX_JSON_BYTES = 200_000
MAX_RESULTS_BYTES = 12_000_000
UNCOMMITTED = ("demo", "quick")


def _untyped_maps(tp: Any, where: str, seen: set) -> list[str]:
    """Where ``tp`` holds a ``dict[str, Any]`` or a bare ``dict`` (following nested dataclasses, lists, unions)."""
    if tp is dict or tp is typing.Dict:
        return [f"{where}: bare dict"]
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is dict:
        if not args or any(a is Any for a in args):
            return [f"{where}: {tp}"]
        return _untyped_maps(args[1], f"{where}[value]", seen)
    if origin in (list, tuple, typing.Union, types.UnionType):
        return [problem for a in args if a is not Ellipsis for problem in _untyped_maps(a, where, seen)]
    if dataclasses.is_dataclass(tp) and isinstance(tp, type) and tp not in seen:
        seen.add(tp)
        hints = typing.get_type_hints(tp)
        return [problem for f in dataclasses.fields(tp) if f.metadata.get("json", True)
                for problem in _untyped_maps(hints[f.name], f"{tp.__name__}.{f.name}", seen)]
    return []


@pytest.mark.parametrize("kind", load_result_kinds().names())
def test_no_result_field_is_an_untyped_dict(kind: str) -> None:
    assert _untyped_maps(load_result_kinds().get(kind), kind, set()) == []


@dataclasses.dataclass
class _Pictures(Result):
    KIND: typing.ClassVar[str] = "test-pictures"
    name: str
    picture: Artifact
    maps: dict[str, Artifact]


def _saved(tmp_path: Path) -> tuple[Path, _Pictures]:
    picture = torch.rand(3, 8, 6)
    result = _Pictures("x", Artifact.of(picture, "png"), {"signed:map": Artifact.of(torch.randn(4, 5, dtype=torch.float64))})
    out = tmp_path / "run.json"
    with output_group():
        save_artifacts(result, out)
        out.write_text(to_json(result.to_dict()))
    return out, result


def test_artifact_round_trip(tmp_path: Path) -> None:
    out, result = _saved(tmp_path)
    data = json.loads(out.read_text())
    assert data["picture"]["path"] == "run.picture.png" and data["picture"]["kind"] == "png"
    assert data["picture"]["shape"] == [3, 8, 6] and len(data["picture"]["sha256"]) == 64
    assert data["maps"]["signed:map"]["path"] == "run.maps.signed-map.safetensors"
    loaded = bind_artifacts(_Pictures.from_dict(data), out.parent)
    expected = (result.picture.data * 255).round() / 255
    torch.testing.assert_close(loaded.picture.load(), expected, atol=1e-6, rtol=0)
    torch.testing.assert_close(loaded.maps["signed:map"].load(), result.maps["signed:map"].data)


def test_a_tampered_artifact_is_one_line(tmp_path: Path) -> None:
    out, _ = _saved(tmp_path)
    (tmp_path / "run.maps.signed-map.safetensors").write_bytes(b"not the tensor that was written")
    loaded = bind_artifacts(_Pictures.from_dict(json.loads(out.read_text())), out.parent)
    with pytest.raises(InvalidInputError, match="sha256") as caught:
        loaded.maps["signed:map"].load()
    assert "\n" not in str(caught.value)


def test_a_missing_artifact_is_one_line(tmp_path: Path) -> None:
    out, _ = _saved(tmp_path)
    (tmp_path / "run.picture.png").unlink()
    loaded = bind_artifacts(_Pictures.from_dict(json.loads(out.read_text())), out.parent)
    with pytest.raises(InvalidInputError, match="cannot read artifact") as caught:
        loaded.picture.load()
    assert "\n" not in str(caught.value)


def test_a_failed_command_leaves_no_artifact(tmp_path: Path) -> None:
    result = _Pictures("x", Artifact.of(torch.rand(1, 4, 4), "png"), {})
    with pytest.raises(RuntimeError), output_group():
        save_artifacts(result, tmp_path / "run.json")
        raise RuntimeError("the command failed after its pictures were encoded")
    assert list(tmp_path.iterdir()) == []


def test_on_stdout_artifacts_are_left_out() -> None:
    result = _Pictures("x", Artifact.of(torch.rand(1, 4, 4), "png"), {"m": Artifact.of(torch.zeros(2))})
    assert save_artifacts(result, "-") == []
    assert result.picture is None and result.maps == {"m": None}


def _committable(root: Path) -> list[Path]:
    """The files under ``root`` that git would commit: tracked or untracked, less what .gitignore leaves out (the
    atlas store, the large mask sets); every file where git is not there."""
    import subprocess

    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z", "."], cwd=root,
                            capture_output=True)
    if listed.returncode != 0:
        return [p for p in root.rglob("*") if p.is_file()]
    return [root / name for name in listed.stdout.decode().split("\0") if name and (root / name).is_file()]


def test_committed_results_are_small() -> None:
    # what is committed: results/demo/ and results/quick/ are the ignored outputs of `make demo` / `--quick`
    files = [p for p in _committable(RESULTS) if p.relative_to(RESULTS).parts[0] not in UNCOMMITTED]
    too_big = {str(p.relative_to(RESULTS)): p.stat().st_size for p in files
               if p.suffix == ".json" and p.stat().st_size > MAX_JSON_BYTES}
    assert too_big == {}, f"result JSONs over {MAX_JSON_BYTES} bytes: keep pictures and long arrays beside them"
    total = sum(p.stat().st_size for p in files)
    assert total < MAX_RESULTS_BYTES, f"results/ holds {total / 1e6:.1f} MB (limit {MAX_RESULTS_BYTES / 1e6:.0f} MB)"


def test_committed_artifacts_are_there_and_match(tmp_path: Path) -> None:
    """Every artifact a committed result names exists beside it, with the sha256 the result records."""
    import hashlib

    from nullsight.artifacts import walk

    kinds = load_result_kinds()
    for path in sorted(RESULTS.rglob("*.json")):
        data = json.loads(path.read_text())
        for item in data if isinstance(data, list) else [data]:
            if not isinstance(item, dict) or item.get("kind") not in kinds:
                continue
            for name, artifact, _ in walk(result_from_dict(item)):
                if artifact is None:
                    continue
                file = path.parent / artifact.path
                assert file.is_file(), f"{path.relative_to(RESULTS)}: {name} -> {artifact.path} is missing"
                assert hashlib.sha256(file.read_bytes()).hexdigest() == artifact.sha256, f"{file} changed"

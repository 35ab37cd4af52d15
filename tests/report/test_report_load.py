"""Finding and reading result JSON files."""

from __future__ import annotations

import json

import pytest

from nullsight.errors import InvalidInputError
from nullsight.report import load_results


def _write(path, obj):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj))


def test_directory_is_searched_recursively_and_sorted(tmp_path):
    _write(tmp_path / "b.json", {"kind": "test-widget", "n": 2})
    _write(tmp_path / "a" / "z.json", {"kind": "test-widget", "n": 1})
    _write(tmp_path / "config.json", {"lr": 0.1})  # not a result
    _write(tmp_path / "list.json", [1, 2])  # not a result
    _write(tmp_path / ".hidden" / "c.json", {"kind": "test-widget", "n": 3})
    (tmp_path / "notes.txt").write_text("{")
    assert [r["n"] for r in load_results([tmp_path])] == [1, 2]


def test_files_and_duplicates(tmp_path):
    _write(tmp_path / "r.json", {"kind": "test-widget"})
    assert len(load_results([tmp_path / "r.json", tmp_path])) == 1


def test_corrupt_json_names_the_file(tmp_path):
    _write(tmp_path / "ok.json", {"kind": "audit"})
    (tmp_path / "broken.json").write_text('{"kind": ')
    with pytest.raises(InvalidInputError, match="broken.json") as info:
        load_results([tmp_path])
    assert "\n" not in str(info.value)


def test_missing_path(tmp_path):
    with pytest.raises(InvalidInputError, match="no such file or directory"):
        load_results([tmp_path / "nope"])

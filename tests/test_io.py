"""Atomic output: no half-written file on failure, ordinary permissions on success."""

import os
import stat

import pytest

from nullsight.io import atomic_path, write_json


def test_failure_leaves_nothing(tmp_path):
    target = tmp_path / "out.json"
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("partial")
            raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


def test_success_has_umask_permissions(tmp_path):
    mask = os.umask(0o022)
    try:
        path = write_json(tmp_path / "r.json", {"b": 1, "a": [1.5]})
    finally:
        os.umask(mask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert path.read_text() == '{\n  "a": [\n    1.5\n  ],\n  "b": 1\n}\n'

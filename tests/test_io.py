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


def test_output_group_renames_only_when_all_are_written(tmp_path):
    from nullsight.io import output_group, write_bytes

    with pytest.raises(RuntimeError):
        with output_group():
            write_json(tmp_path / "a.json", {"a": 1})
            write_bytes(tmp_path / "b.png", b"png")
            assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == []
            raise RuntimeError("the last output failed")
    assert list(tmp_path.iterdir()) == []
    with output_group():
        write_json(tmp_path / "a.json", {"a": 1})
        write_json(tmp_path / "a.json", {"a": 2})  # the same file twice: the last one wins
        write_bytes(tmp_path / "b.png", b"png")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "b.png"]
    assert '"a": 2' in (tmp_path / "a.json").read_text()


def test_now_writes_survive_a_failed_group(tmp_path):
    from nullsight.io import output_group

    with pytest.raises(RuntimeError):
        with output_group():
            with atomic_path(tmp_path / "cache.bin", now=True) as tmp:
                tmp.write_bytes(b"kept")
            raise RuntimeError
    assert [p.name for p in tmp_path.iterdir()] == ["cache.bin"]


def test_remove_temporaries_cleans_an_unfinished_write(tmp_path):
    from nullsight.io import remove_temporaries

    with atomic_path(tmp_path / "out.json") as tmp:
        tmp.write_text("partial")
        assert remove_temporaries() == [tmp]
        assert list(tmp_path.iterdir()) == []
        tmp.write_text("rewritten")  # the block still ends normally and renames
    assert (tmp_path / "out.json").read_text() == "rewritten"


def test_check_writable_refuses_before_any_write(tmp_path):
    from nullsight.errors import OutputError
    from nullsight.io import check_writable

    (tmp_path / "file").write_text("x")
    for bad, match in ((tmp_path, "is a directory"), (tmp_path / "file" / "x.json", "not a directory"),
                       ("", "empty"), (tmp_path / ("x" * 300), "longer than 255")):
        with pytest.raises(OutputError, match=match):
            check_writable(bad)
    with pytest.raises(OutputError, match="is a file"):
        check_writable(tmp_path / "file", directory=True)
    assert check_writable(tmp_path / "new" / "deeper" / "x.json") and not (tmp_path / "new").exists()


def test_dash_is_stdout(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_json("-", {"a": 1})
    assert capsys.readouterr().out == '{\n  "a": 1\n}\n' and list(tmp_path.iterdir()) == []


def test_after_commit_runs_once_the_files_are_in_place_and_never_after_a_failure(tmp_path):
    from nullsight.io import after_commit, output_group

    seen = []
    with output_group():
        write_json(tmp_path / "a.json", {"a": 1})
        after_commit(lambda: seen.append((tmp_path / "a.json").exists()))
        assert seen == []
    assert seen == [True]
    with pytest.raises(RuntimeError):
        with output_group():
            after_commit(lambda: seen.append("after a failure"))
            raise RuntimeError
    after_commit(lambda: seen.append("outside a group: at once"))
    assert seen == [True, "outside a group: at once"]

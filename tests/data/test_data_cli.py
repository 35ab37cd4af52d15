"""``nullsight data list|fetch`` through the CLI entry point."""

from __future__ import annotations

import json

from nullsight.cli import main


def test_list_json(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("NULLSIGHT_DATA", str(tmp_path))
    assert main(["data", "list", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {row["name"] for row in rows} >= {"mnist", "digits"}


def test_list_table(capsys):
    assert main(["data", "list"]) == 0
    assert "digits" in capsys.readouterr().out


def test_fetch(capsys):
    assert main(["data", "fetch", "digits", "--quiet"]) == 0
    assert capsys.readouterr().out.startswith("digits: ")


def test_fetch_unknown_is_one_line_error(capsys):
    assert main(["data", "fetch", "mnsit"]) == 2
    err = capsys.readouterr().err
    assert "did you mean" in err and err.count("\n") == 1

"""``nullsight report`` end to end."""

from __future__ import annotations

import json

from nullsight.cli import main


def _results_dir(tmp_path):
    results = tmp_path / "results"
    results.mkdir()
    (results / "audit.json").write_text(json.dumps({"kind": "mystery", "command": "nullsight x", "value": 3}))
    return results


def test_report_command_writes_html(tmp_path, capsys):
    out = tmp_path / "out" / "report.html"
    assert main(["report", str(_results_dir(tmp_path)), "--out", str(out), "--title", "My run"]) == 0
    html = out.read_text()
    assert html.startswith("<!DOCTYPE html>") and "My run" in html and "nullsight x" in html
    assert str(out) in capsys.readouterr().out


def test_unwritable_output_fails_without_file(tmp_path, capsys):
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a folder")
    out = blocker / "report.html"
    assert main(["report", str(_results_dir(tmp_path)), "--out", str(out)]) != 0
    assert not out.exists()
    assert "cannot write" in capsys.readouterr().err


def test_missing_path_and_no_results(tmp_path, capsys):
    out = tmp_path / "report.html"
    assert main(["report", str(tmp_path / "nope"), "--out", str(out)]) != 0
    assert "no such file or directory" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main(["report", str(tmp_path / "empty"), "--out", str(out)]) != 0
    assert "no nullsight results" in capsys.readouterr().err
    assert not out.exists()

"""The command recorded in every result JSON: replayable, and free of the machine it ran on (no home, temporary or
checkout folder: paths in the working folder are relative, the home folder is ``~``)."""

from __future__ import annotations

import os
import shlex
import tempfile
from pathlib import Path

from nullsight.cli import common


def _record(monkeypatch, argv: list[str]) -> str:
    monkeypatch.setattr(common, "_argv", argv)
    return common.command_line()


def test_home_paths_are_recorded_with_a_tilde(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    home = str(Path.home())
    line = _record(monkeypatch, ["train", "--out", f"{home}/.cache/m.safetensors", "--data", "mnist"])
    assert line == "nullsight train --out ~/.cache/m.safetensors --data mnist"


def test_paths_in_the_working_folder_are_relative(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    line = _record(monkeypatch, ["collide", str(tmp_path / "m.safetensors"), "--out", str(tmp_path / "r" / "c.json")])
    assert line == "nullsight collide m.safetensors --out r/c.json"


def test_temporary_paths_are_recorded_by_their_name_there(monkeypatch, tmp_path):
    monkeypatch.chdir(Path(__file__).parent)
    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(tmp_path))
    line = _record(monkeypatch, ["stego", "eval", str(tmp_path / "seeds" / "mlp.safetensors")])
    assert line == "nullsight stego eval seeds/mlp.safetensors"


def test_other_arguments_are_shell_quoted(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    home = str(Path.home())
    argv = ["collide", "--image", f"{home}/my photo.png", "--region", "0,0,1,1", "a b"]
    line = _record(monkeypatch, argv)
    assert home not in line
    assert [os.path.expanduser(a) for a in shlex.split(line)] == ["nullsight", *argv]  # as the shell reads it back

"""The command recorded in every result JSON: replayable, and portable across machines (``~`` for the home folder)."""

from __future__ import annotations

import shlex
from pathlib import Path

from nullsight.cli import common


def test_home_paths_are_recorded_with_a_tilde(monkeypatch):
    home = str(Path.home())
    monkeypatch.setattr(common, "_argv", ["train", "--out", f"{home}/.cache/m.safetensors", "--data", "mnist"])
    assert common.command_line() == "nullsight train --out ~/.cache/m.safetensors --data mnist"


def test_other_arguments_are_shell_quoted(monkeypatch):
    home = str(Path.home())
    argv = ["collide", "--image", f"{home}/my photo.png", "--region", "0,0,1,1", "/tmp/a b"]
    monkeypatch.setattr(common, "_argv", argv)
    assert shlex.split(common.command_line()) == ["nullsight", *argv]  # a space: quoted whole, not shortened

"""Options and helpers shared by the subcommands (presentation only)."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from ..errors import InvalidInputError
from ..io import to_json, write_text
from ..progress import track

stdout = Console()

SeedOption = typer.Option(0, "--seed", help="Random seed (same seed, same JSON).")
DeviceOption = typer.Option("auto", "--device", help="auto | cpu | cuda[:N].")
QuietOption = typer.Option(False, "--quiet", "-q", help="No progress bars.")
WeightsOption = typer.Option("none", "--weights", help="none (random init) | default (library's pretrained) | PATH.")
ArchOption = typer.Option(None, "--arch", help="Architecture of a checkpoint file (a model spec, e.g. torchvision:resnet50).")
OutOption = typer.Option(None, "--out", "-o", help="Write the output to this file (atomically) instead of stdout.")


_argv: list[str] | None = None


def set_argv(argv: list[str] | None) -> None:
    """Remember the arguments :func:`nullsight.cli.main` was called with (``None``: the process's own)."""
    global _argv
    _argv = None if argv is None else list(argv)


def command_line() -> str:
    """The command that made a result, recorded in its JSON."""
    return shlex.join(["nullsight", *(sys.argv[1:] if _argv is None else _argv)])


def tracker(quiet: bool):
    """A progress tracker for the cores, or None when quiet."""
    if quiet:
        return None
    return lambda items, description, total: track(items, description, total=total)


def emit(text: str, out: Optional[Path]) -> None:
    """Write ``text`` to ``out`` atomically, or print it on stdout."""
    if out is None:
        sys.stdout.write(text)
    else:
        write_text(out, text)
        print(f"wrote {out}", file=sys.stderr)


def emit_json(obj: object, out: Optional[Path]) -> None:
    emit(to_json(obj), out)


def parse_size(text: Optional[str]) -> Optional[tuple[int, ...]]:
    """``"3,224,224"`` -> ``(3, 224, 224)``."""
    if text is None:
        return None
    try:
        size = tuple(int(part) for part in text.replace("x", ",").split(",") if part.strip())
    except ValueError:
        raise InvalidInputError(f"--input-size must be integers like 3,224,224, got {text!r}") from None
    if not size or any(s <= 0 for s in size):
        raise InvalidInputError(f"--input-size must be positive integers, got {text!r}")
    return size

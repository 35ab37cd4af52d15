"""Options and helpers shared by the subcommands (presentation only).

Every numeric option is checked at the door by one of the validators below
(finite, in range, positive): a bad value is a usage error (click's usual
message, exit 2) before any model is loaded.  Output locations are checked
writable by their option's callback, so a command never fails after its work
because of where it was asked to write.
"""

from __future__ import annotations

import math
import shlex
import sys
from pathlib import Path
from typing import Any, Callable, Optional

import typer
from rich.console import Console

from ..errors import InvalidInputError
from ..io import check_writable, is_stdout, to_json, write_text
from ..progress import track

stdout = Console()


# --- validators (typer callbacks) -------------------------------------------------------------------------------------

def _each(value: Any) -> list:
    return [] if value is None else list(value) if isinstance(value, (list, tuple)) else [value]


def number(low: float | None = None, high: float | None = None, *, above: bool = False, below: bool = False,
           integer: bool = False) -> Callable[[typer.CallbackParam, Any], Any]:
    """A callback refusing NaN/Inf and values outside ``[low, high]`` (``above``/``below``: strict bounds)."""

    def check(param: typer.CallbackParam, value: Any) -> Any:
        for v in _each(value):
            problem = check_number(v, low, high, above=above, below=below)
            if problem:
                raise typer.BadParameter(problem, param=param)
        return value

    return check


def check_number(value: float, low: float | None = None, high: float | None = None, *, above: bool = False,
                 below: bool = False) -> str | None:
    """Why ``value`` is not a finite number in range, or ``None`` when it is."""
    if isinstance(value, float) and not math.isfinite(value):
        return f"{value} is not a finite number"
    if low is not None and (value <= low if above else value < low):
        return f"{value:g} must be {'>' if above else '>='} {low:g}"
    if high is not None and (value >= high if below else value > high):
        return f"{value:g} must be {'<' if below else '<='} {high:g}"
    return None


finite = number()
non_negative = number(0.0)
positive = number(0.0, above=True)
at_least_one = number(1)


def float_list(text: str, option: str, low: float | None = None, *, above: bool = False) -> tuple[float, ...]:
    """``"0.01,0.05"`` -> ``(0.01, 0.05)``: finite numbers (``low``/``above``: the bound), one line if not."""
    try:
        values = tuple(float(v) for v in text.split(",") if v.strip())
    except ValueError:
        raise InvalidInputError(f"{option} takes comma-separated numbers, got {text!r}") from None
    if not values:
        raise InvalidInputError(f"{option} takes comma-separated numbers, got {text!r}")
    for v in values:
        problem = check_number(v, low, above=above)
        if problem:
            raise InvalidInputError(f"{option}: {problem} (in {text!r})")
    return values


def output_file(param: typer.CallbackParam, value: Optional[Path]) -> Optional[Path]:
    """``--out FILE``: ``-`` is stdout; an empty name, a folder or an unwritable place is refused before any work."""
    if value is None or is_stdout(value):
        return value
    if str(value) in ("", "."):
        raise typer.BadParameter("the file name is empty; name a file, or - for stdout", param=param)
    check_writable(value)
    return value


def output_dir(param: typer.CallbackParam, value: Optional[Path]) -> Optional[Path]:
    """A folder outputs will be written into: refused before any work if it cannot be created or written."""
    if value is not None:
        if str(value) == "":
            raise typer.BadParameter("the folder name is empty", param=param)
        check_writable(value, directory=True)
    return value


# --- shared options ---------------------------------------------------------------------------------------------------

SeedOption = typer.Option(0, "--seed", help="Random seed (same seed, same JSON).")
DeviceOption = typer.Option("auto", "--device", help="auto | cpu | cuda[:N].")
QuietOption = typer.Option(False, "--quiet", "-q", help="No progress bars.")
WeightsOption = typer.Option("none", "--weights", help="none (random init) | default (library's pretrained) | PATH.")
ArchOption = typer.Option(None, "--arch", help="Architecture of a checkpoint file (a model spec, e.g. torchvision:resnet50).")
OutOption = typer.Option(None, "--out", "-o", callback=output_file,
                         help="Write the output to this file (atomically) instead of stdout; - is stdout.")


_argv: list[str] | None = None


def set_argv(argv: list[str] | None) -> None:
    """Remember the arguments :func:`nullsight.cli.main` was called with (``None``: the process's own)."""
    global _argv
    _argv = None if argv is None else list(argv)


def command_line() -> str:
    """The command that made a result, recorded in its JSON without the machine it ran on: a path inside the
    working folder (the repository) is written relative to it, one under the home folder as ``~/...``, one in the
    temporary folder by its name there (the shell reads all three back)."""
    return " ".join(_portable(arg) for arg in ["nullsight", *(sys.argv[1:] if _argv is None else _argv)])


def _portable(arg: str) -> str:
    """``arg`` as recorded: an absolute path inside the working folder relative to it, one in the temporary folder
    relative to that, one under the home folder as ``~/...``; every argument quoted as the shell needs."""
    import os
    import tempfile

    if os.path.isabs(arg):
        path = os.path.normpath(arg)
        for root, prefix in ((os.getcwd(), ""), (tempfile.gettempdir(), ""), (str(Path.home()), "~/")):
            root = os.path.normpath(root)
            if root != os.sep and path.startswith(root + os.sep):
                return prefix + shlex.quote(path[len(root) + 1:])
    return shlex.quote(arg)


def tracker(quiet: bool):
    """A progress tracker for the cores, or None when quiet."""
    if quiet:
        return None
    return lambda items, description, total: track(items, description, total=total)


def note(text: str) -> None:
    """A remark on stderr that is not an error (e.g. fewer images than asked for)."""
    print(f"nullsight: note: {text}", file=sys.stderr)


def emit(text: str, out: Optional[Path]) -> None:
    """Write ``text`` to ``out`` atomically (then only that: stdout stays quiet), or print it on stdout."""
    if out is None or is_stdout(out):
        sys.stdout.write(text)
    else:
        write_text(out, text)
        print(f"wrote {out}", file=sys.stderr)


def emit_json(obj: object, out: Optional[Path]) -> None:
    emit(to_json(obj), out)


def emit_result(result: Any, out: Optional[Path]) -> None:
    """Record the command line on a result and write its JSON to ``out`` (or stdout: one or the other, never both)."""
    if hasattr(result, "command"):
        result.command = command_line()
    elif isinstance(result, dict):
        result["command"] = command_line()
    emit_json(result.to_dict() if hasattr(result, "to_dict") else result, out)


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



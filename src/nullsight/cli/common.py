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
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Optional, TypeVar

import typer
from rich.console import Console

from ..errors import InvalidInputError
from ..io import check_writable, is_stdout, to_json, write_text
from ..progress import track

if TYPE_CHECKING:
    from ..results import Result

R = TypeVar("R", bound="Result")
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
        return f"{_shown(value)} must be {'>' if above else '>='} {_shown(low)}"
    if high is not None and (value >= high if below else value > high):
        return f"{_shown(value)} must be {'<' if below else '<='} {_shown(high)}"
    return None


def _shown(value: float) -> str:
    """A bound or value as typed: integers in full up to 2**53, other numbers short (``%g``)."""
    return str(int(value)) if float(value).is_integer() and abs(value) <= 2**53 else f"{value:g}"


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


# --- the CLI vocabulary: each shared flag defined once (issue 19) ------------------------------------------------------

MAX_SEED = 2**32 - 1  # numpy's and most libraries' seed range

MODEL_HELP = "torchvision:NAME, timm:NAME, nullsight:NAME, hf:DIR, a checkpoint file or pkg.module:factory."
DATA_HELP = "A data source (mnist, fashion-mnist, digits, cifar10, foolbox-imagenet, ...) or an image folder."

ModelArgument = typer.Argument(..., metavar="MODEL", help=MODEL_HELP)
SeedOption = typer.Option(0, "--seed", callback=number(0, MAX_SEED), help="Random seed (same seed, same JSON).")
DeviceOption = typer.Option("auto", "--device", help="auto | cpu | cuda[:N].")
QuietOption = typer.Option(False, "--quiet", "-q", help="No progress bars.")
WeightsOption = typer.Option("none", "--weights", help="none (random init) | default (library's pretrained) | PATH.")
ArchOption = typer.Option(None, "--arch", help="Architecture of a checkpoint file (a model spec, e.g. torchvision:resnet50).")


def out_option(default: Optional[Path] = None, callback: Callable[..., Any] = output_file,
               help: str = "Write the output to this file (atomically) instead of stdout; - is stdout.") -> Any:
    """``--out/-o``: where the command writes (checked writable at the door by ``callback``)."""
    return typer.Option(default, "--out", "-o", callback=callback, help=help)


OutOption = out_option()


@dataclass
class ModelChoice:
    """The options of a command that loads one model (take it as one parameter with :func:`grouped`): its weights,
    the architecture of a bare checkpoint, the seed of its random initialisation and the device it runs on."""

    weights: str = WeightsOption
    arch: Optional[str] = ArchOption
    seed: int = SeedOption
    device: str = DeviceOption


def model_argument(default: Any, help: str = MODEL_HELP) -> Any:
    """The model positional where a command has a default model (or takes several: ``default=...`` for a list)."""
    return typer.Argument(default, metavar="MODEL", help=help, show_default=isinstance(default, str))


def data_option(default: Any = ..., help: str = DATA_HELP, *aliases: str) -> Any:
    """``--data``: where the inputs come from (``aliases``: older spellings kept working, hidden from --help)."""
    return typer.Option(default, "--data", *aliases, help=help)


def n_option(default: Optional[int], help: str = "How many inputs (the first N).") -> Any:
    """``--n``: a count, at least 1 (``None``: all of them)."""
    return typer.Option(default, "--n", callback=at_least_one, help=help)


def attacks_option(default: Optional[str], name: str = "--attacks", default_eps: float = 8 / 255, empty_ok: bool = False,
                   help: str = "Attacks, name[:eps] separated by commas (pgd:8/255,fmn,deepfool; eps in pixel units)."
                   ) -> Any:
    """Attacks in the one grammar ``name[:eps]`` (:func:`nullsight.attacks.parse_attacks`), parsed at the door:
    the command receives a list of :class:`~nullsight.attacks.AttackSpec` (``empty_ok``: '' is none)."""

    def parse(param: typer.CallbackParam, value: Optional[str]) -> Any:
        if value is None or (empty_ok and not value.strip()):
            return None if value is None else []
        from ..attacks import parse_attacks

        try:
            return parse_attacks(value, default_eps)
        except InvalidInputError as exc:
            raise typer.BadParameter(str(exc), param=param) from None

    return typer.Option(default, name, callback=parse, help=help)


def memory_budget() -> int:
    """Bytes a command may plan to hold at once: the machine's physical memory."""
    import os

    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return 2**36


def check_memory(needed: float, what: str) -> None:
    """Refuse at the door a request whose estimated memory exceeds the machine's (instead of an allocator error)."""
    budget = memory_budget()
    if needed > budget:
        raise InvalidInputError(f"{what} would need about {_bytes(needed)} of memory; this machine has {_bytes(budget)}")


def _bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n < 1024 or unit == "PiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} EiB"  # pragma: no cover


def grouped(func: Callable[..., Any]) -> Callable[..., Any]:
    """Let a command take groups of options as one object: a parameter typed as a dataclass whose fields default to
    ``typer.Option(...)`` is offered as those options on the command line and reaches the function as one instance.

    A command with many settings thus keeps a short signature (at most 15 parameters), the settings grouped as
    they are used (a training recipe, a search's settings).
    """
    import dataclasses
    import functools
    import inspect
    import typing

    hints = typing.get_type_hints(func)
    params, groups = [], {}
    for param in inspect.signature(func).parameters.values():
        kind = hints.get(param.name, param.annotation)
        if isinstance(kind, type) and dataclasses.is_dataclass(kind):
            field_hints = typing.get_type_hints(kind)
            fields = dataclasses.fields(kind)
            params += [inspect.Parameter(f"{param.name}__{f.name}", inspect.Parameter.KEYWORD_ONLY, default=f.default,
                                         annotation=field_hints[f.name]) for f in fields]
            groups[param.name] = (kind, [f.name for f in fields])
        else:
            params.append(param.replace(kind=inspect.Parameter.KEYWORD_ONLY, annotation=kind))

    @functools.wraps(func)
    def command(**kwargs: Any) -> Any:
        for name, (kind, names) in groups.items():
            kwargs[name] = kind(**{n: kwargs.pop(f"{name}__{n}") for n in names})
        return func(**kwargs)

    del command.__wrapped__  # typer reads the signature below, not the function's
    command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in params}
    command.grouped = func  # type: ignore[attr-defined]
    return command


def parse_size(text: Optional[str], bytes_per_value: int = 4, copies: int = 8) -> Optional[tuple[int, ...]]:
    """``"3,224,224"`` -> ``(3, 224, 224)``: positive integers, refused at the door when ``copies`` inputs of that
    shape would not fit in memory."""
    if text is None:
        return None
    try:
        size = tuple(int(part) for part in text.replace("x", ",").split(",") if part.strip())
    except ValueError:
        raise InvalidInputError(f"--input-size must be integers like 3,224,224, got {text!r}") from None
    if not size or any(s <= 0 for s in size):
        raise InvalidInputError(f"--input-size must be positive integers, got {text!r}")
    check_memory(math.prod(size) * bytes_per_value * copies, f"--input-size {text}")
    return size


# --- end of the CLI vocabulary ----------------------------------------------------------------------------------------


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
    """``arg`` as recorded (:func:`~nullsight.provenance.portable_path`), quoted as the shell needs."""
    from ..provenance import portable_path

    path = portable_path(arg)
    return "~/" + shlex.quote(path[2:]) if path.startswith("~/") and path != arg else shlex.quote(path)


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


def stamped(result: R) -> R:
    """``result`` with its provenance filled (:func:`~nullsight.provenance.stamp`) and this command line."""
    from ..provenance import stamp

    return stamp(result, command=command_line())


def emit_result(result: Result, out: Optional[Path]) -> None:
    """Stamp a result's provenance and write its JSON to ``out`` (or stdout: one or the other, never both).

    The result's pictures and tensors (:class:`~nullsight.artifacts.Artifact`) are written beside ``out`` in the same
    output group; with the JSON on stdout they are left out.
    """
    from ..artifacts import save_artifacts

    stamped(result)
    save_artifacts(result, out)
    emit_json(result.to_dict(), out)

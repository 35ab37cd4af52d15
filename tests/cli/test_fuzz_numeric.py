"""Every int and float option of every command is checked at the door (issue 19, item 6).

The test walks the whole click tree of the typer app (``typer.main.get_command``), so a command or option added
later is covered the moment it is registered.  Each numeric option gets a negative number, zero, NaN, infinity and
a word, with otherwise minimal valid arguments: the value is refused by the option's own check (exit 2, one error
line, no traceback) before any model, data set or file is touched, or it is a value the option legitimately takes,
listed in :data:`VALID` with the reason.  Refusals run through :func:`nullsight.cli.main` in-process; accepted values
are only parsed (the command itself would do real work).
"""

from __future__ import annotations

import typing

import pytest
import typer

from nullsight.cli import app, main

MODEL = "nullsight:mlp-digits"
VALUES = ("-1", "0", "nan", "inf", "abc")

# (command, option, value): a value the option takes on purpose, and why.
VALID = {
    ("*", "--seed", "0"): "seed 0 is the default seed",
    ("collide", "--beta", "0"): "beta 0 is the trivial collision P = 0 (a control)",
    ("collide-fig5", "--beta", "0"): "beta 0 scales every basis vector to 0 (a control)",
    ("detect", "--beta", "0"): "beta 0: collided inputs equal the clean ones (a control)",
    ("geometry analyze", "--n-pixel", "0"): "0 skips the pixel-space hull",
    ("geometry analyze", "--n-table", "0"): "0 skips the margins table",
    ("geometry inverse", "--a", "0"): "test image 0 is the default",
    ("geometry inverse", "--b", "0"): "training image 0 is a valid partner",
    ("geometry inverse", "--n-train", "0"): "0: no training set (b from the test set, no Figs. 5c and 7)",
    ("geometry inverse", "--references", "0"): "0 skips Fig. 7",
    ("geometry detect", "--n-train", "0"): "0 skips App. B (no training hull)",
    ("masks compute", "--lambda", "0"): "lambda 0 is the mask fit without the L1 term",
    ("masks class", "--lambda", "0"): "lambda 0 is the mask fit without the L1 term",
    ("masks robust", "--lambda", "0"): "lambda 0 is the mask fit without the L1 term",
    ("masks correlate", "--permutations", "0"): "0 skips the IdCor permutation test",
    ("masks correlate", "--kclass-permutations", "0"): "0 skips the Fig. 4 subsets' permutation tests",
    ("sampling eval", "--n-worst", "0"): "0 skips the worst case",
    ("sampling kernels", "--eps", "0"): "a checkerboard of amplitude 0 is the unperturbed control",
    ("stego eval", "--alpha2", "0"): "alpha2 0 hides without the cover's null-space part",
    ("stego hide", "--alpha2", "0"): "alpha2 0 hides without the cover's null-space part",
    ("train", "--weight-decay", "0"): "no weight decay is the default",
    ("train", "--label-smoothing", "0"): "no label smoothing is the default",
}


def _leaves(command, path=()):
    if hasattr(command, "commands"):
        for name, sub in sorted(command.commands.items()):
            yield from _leaves(sub, (*path, name))
    else:
        yield path, command


def _is_numeric(param) -> bool:
    """An int or float option, alone, optional or repeatable (``Optional[List[float]]``)."""
    if param.param_type_name != "option":
        return False
    annotation = param.type_descriptor.annotation
    while typing.get_args(annotation):
        annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
    return annotation in (int, float)


ROOT = typer.main.get_command(app)
LEAVES = dict(_leaves(ROOT))
CASES = [(path, param.opts[0], value) for path, command in LEAVES.items() for param in command.params
         if _is_numeric(param) for value in VALUES]


def _minimal(command, tmp_path) -> list[str]:
    """The command's required arguments and options, with values that parse (nothing is run with them)."""
    argv: list[str] = []
    for param in command.params:
        if param.param_type_name == "argument":
            if not param.required:
                continue
            value = _argument_value(param.name, tmp_path)
            argv += [value, value] if param.name == "models" else [value]
        elif param.required:
            argv += [param.opts[0], _option_value(param.opts[0], tmp_path)]
    return argv


def _argument_value(name: str, tmp_path) -> str:
    if name in ("model", "models", "network", "checkpoint"):
        return MODEL
    if name in ("seeds",):
        return "001"
    if name in ("kind",):
        return "collision"
    if name in ("names",):
        return "digits"
    return str(tmp_path / f"{name}.png")  # files, images, directories


def _option_value(option: str, tmp_path) -> str:
    values = {"--data": "digits", "--cover": "digits:0", "--hidden": "digits:1",
              "--image-out": str(tmp_path / "s.png"), "--masks-dir": str(tmp_path / "masks")}
    assert option in values, f"a required option the fuzz test does not know: {option}; add a valid value"
    return values[option]


def _valid(path: tuple[str, ...], option: str, value: str) -> bool:
    return (" ".join(path), option, value) in VALID or ("*", option, value) in VALID


def _parses(path: tuple[str, ...], argv: list[str]) -> bool:
    """Whether ``nullsight PATH ARGV`` gets past the door (parsing and every option's check), running nothing."""
    command = LEAVES[path]
    try:
        with command.make_context(" ".join(("nullsight", *path)), list(argv)):
            return True
    except Exception as exc:  # noqa: BLE001 - click's usage errors, whichever copy of click
        if isinstance(getattr(exc, "exit_code", None), int):
            return False
        raise


def test_the_walk_finds_the_numeric_options():
    options = {(" ".join(p), o) for p, o, _ in CASES}
    assert len(LEAVES) >= 25
    assert {("geometry analyze", "--n-pixel"), ("audit", "--seed"), ("sampling kernels", "--larger"),
            ("stego conv", "--size"), ("collide", "--n"), ("train", "--epochs")} <= options
    for path, option, value in VALID:
        if path != "*":
            assert (path, option) in options, f"stale exemption: {path} {option}"


@pytest.mark.parametrize("path, option, value", CASES, ids=[f"{' '.join(p)} {o} {v}" for p, o, v in CASES])
def test_every_numeric_option_is_checked_at_the_door(path, option, value, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    base = _minimal(LEAVES[path], tmp_path)
    assert _parses(path, base), f"the minimal arguments {base} do not parse"
    argv = [*base, option, value]
    if _valid(path, option, value):
        assert _parses(path, argv), f"{option} {value} is listed as valid but refused"
        return
    assert not _parses(path, argv), f"nullsight {' '.join(path)} {option} {value} gets past the door"
    monkeypatch.setattr(typer.main, "get_command", lambda _: ROOT)  # the tree is built once, not per case
    capsys.readouterr()
    code = main([*path, *argv])
    out, err = capsys.readouterr()
    assert code == 2, (code, err)
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("nullsight: error: "), err
    assert "Traceback" not in err and option in lines[0], err
    assert not list(tmp_path.iterdir()), "a refused command left files"


def test_no_command_function_takes_more_than_15_parameters():
    """A command with more settings is two commands, or groups its settings (``cli.common.grouped``)."""
    import inspect

    for path, command in LEAVES.items():
        function = getattr(command.callback, "grouped", command.callback)
        assert len(inspect.signature(function).parameters) <= 15, " ".join(path)

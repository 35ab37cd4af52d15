"""The CLI's error contract, over every registered subcommand (issue #10, section 1).

Every command line ends in exit 0, 2 (a usage error or bad input: one error line, no traceback) or 130
(interrupted), and a failed run leaves no new file.  Commands are read from the typer app, so a new
subcommand joins these tests the moment it is registered.  Runs are in-process (``nullsight.cli.main``);
only the signal tests start subprocesses.
"""

from __future__ import annotations

import functools
import inspect
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
import typing
from pathlib import Path

import pytest
import torch
import typer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nullsight.cli import app, main
from nullsight.errors import NullsightError
from nullsight.models import MLP, save_state_dict
from nullsight.models.zoo import ARCH_METADATA_KEY

EXIT_CODES = {0, 2, 130}


# --- the registered commands ----------------------------------------------------------------------------------------

def _leaves(typer_app: typer.Typer, path: tuple[str, ...] = ()):
    for info in typer_app.registered_commands:
        yield (*path, info.name or info.callback.__name__.replace("_", "-")), info.callback
    for group in typer_app.registered_groups:
        yield from _leaves(group.typer_instance, (*path, group.name))


def _groups(typer_app: typer.Typer, path: tuple[str, ...] = ()):
    yield path
    for group in typer_app.registered_groups:
        yield from _groups(group.typer_instance, (*path, group.name))


COMMANDS = dict(_leaves(app))
GROUPS = list(_groups(app))


def _options(callback) -> list[tuple[str, type, object]]:
    """(first option name, scalar type, OptionInfo) of each option of a command function."""
    hints = typing.get_type_hints(callback)
    found = []
    for name, parameter in inspect.signature(callback).parameters.items():
        info = parameter.default
        if type(info).__name__ != "OptionInfo":
            continue
        decls = [d for d in (info.param_decls or ()) if d.startswith("--")]
        found.append((decls[0] if decls else f"--{name.replace('_', '-')}", _scalar(hints[name]), info))
    return found


def _scalar(tp) -> type:
    """``Optional[List[float]]`` -> ``float``."""
    while typing.get_args(tp):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        tp = args[0]
    return tp


@functools.lru_cache(maxsize=None)
def _leaf(path: tuple[str, ...]):
    command = typer.main.get_command(app)
    for name in path:
        command = command.commands[name]
    return command


FLOAT_OPTIONS = [(path, option) for path, cb in COMMANDS.items() for option, tp, _ in _options(cb) if tp is float]
OUT_OPTIONS = [(path, option) for path, cb in COMMANDS.items() for option, tp, _ in _options(cb)
               if option == "--out" and tp is Path]


def _ids(params) -> list[str]:
    return [" ".join(p[0]) + " " + p[1] if isinstance(p[0], tuple) else " ".join(p) for p in params]


# --- the contract -------------------------------------------------------------------------------------------------

def _files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*")}


def run(argv: list[str], capsys, root: Path) -> tuple[int, str, str]:
    """Run ``nullsight ARGV`` in-process and check the contract; returns (exit code, stdout, stderr)."""
    capsys.readouterr()
    before = _files(root)
    try:
        code = main([str(a) for a in argv])
    except BaseException as exc:  # noqa: BLE001 - anything escaping main() is a traceback for the user
        pytest.fail(f"nullsight {' '.join(map(str, argv))}: {type(exc).__name__} escaped main(): {exc}")
    out, err = capsys.readouterr()
    assert code in EXIT_CODES, (argv, code, err)
    assert "Traceback" not in err, err
    errors = [line for line in err.splitlines() if line.startswith(("Error:", "nullsight: error"))]
    assert len(errors) <= 1, err
    if code != 0:
        assert errors, f"exit {code} without an error line: {err!r}"
        new = _files(root) - before
        assert not new, f"a failed run left {sorted(map(str, new))}"
    return code, out, err


def fails(argv: list[str], capsys, root: Path, match: str) -> str:
    code, _, err = run(argv, capsys, root)
    assert code == 2, err
    assert match in err, err
    return err


@pytest.fixture
def here(tmp_path, monkeypatch):
    """A fresh working directory: relative outputs (results/...) land here, and are looked for here."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(scope="module")
def ckpt(tmp_path_factory):
    """A seed-001 digits MLP checkpoint (random weights: the contract does not need a trained one)."""
    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("ckpt") / "mlp.safetensors"
    return save_state_dict(MLP((64, 32, 16, 10)), path, {ARCH_METADATA_KEY: "nullsight:mlp-digits"})


# --- every command ------------------------------------------------------------------------------------------------

def test_commands_are_found():
    assert {("audit",), ("collide",), ("train",), ("report",), ("stego", "hide"), ("data", "fetch")} <= set(COMMANDS)
    assert len(FLOAT_OPTIONS) >= 8


@pytest.mark.parametrize("path", list(COMMANDS), ids=[" ".join(p) for p in COMMANDS])
def test_help_and_unknown_option(path, capsys, here):
    code, out, _ = run([*path, "--help"], capsys, here)
    assert code == 0 and "Usage:" in out
    fails([*path, "--no-such-option"], capsys, here, "No such option")


@pytest.mark.parametrize("path", GROUPS, ids=[" ".join(p) or "nullsight" for p in GROUPS])
def test_bare_group_prints_help(path, capsys, here):
    code, out, err = run(list(path), capsys, here)
    assert code in (0, 2) and "Usage:" in out + err


def test_version(capsys, here):
    from nullsight import __version__

    code, out, _ = run(["--version"], capsys, here)
    assert code == 0 and out.strip() == f"nullsight {__version__}"


@pytest.mark.parametrize("path, option", FLOAT_OPTIONS, ids=_ids(FLOAT_OPTIONS))
@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_float_options_refuse_non_finite_at_the_door(path, option, value, capsys, here):
    """Parsed, not run: a NaN that got through would be a command running with it."""
    with pytest.raises(Exception) as info:
        _leaf(path).make_context(" ".join(path), [option, value])
    assert getattr(info.value, "exit_code", None) == 2, info.value
    assert getattr(getattr(info.value, "param", None), "opts", [None])[0] == option, info.value
    fails([*path, option, value], capsys, here, "not a finite number")


@pytest.mark.parametrize("path, option", OUT_OPTIONS, ids=_ids(OUT_OPTIONS))
def test_out_refuses_empty_and_folder_before_work(path, option, capsys, here):
    for value in ("", "."):
        with pytest.raises(Exception) as info:
            _leaf(path).make_context(" ".join(path), [option, value])
        assert getattr(info.value, "exit_code", None) == 2
    (here / "file").write_text("x")
    with pytest.raises(Exception) as info:
        _leaf(path).make_context(" ".join(path), [option, str(here / "file" / "out.safetensors")])
    assert getattr(info.value, "exit_code", None) == 2 and "not a directory" in str(info.value)


TOKENS = st.sampled_from(["nan", "inf", "-1", "0", "1e309", "", "-", "--", "abc", "x" * 300, "1,2", "0.5", "é",
                          "--help", "--out", "-o", "--n", "--seed"])


@pytest.mark.parametrize("path", list(COMMANDS), ids=[" ".join(p) for p in COMMANDS])
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_parsing_random_command_lines(path, data, here):
    """Any command line parses, or fails as a usage error (exit_code + show) or a NullsightError; no other exception."""
    options = [o for o, _, _ in _options(COMMANDS[path])]
    argv = data.draw(st.lists(st.one_of(TOKENS, st.sampled_from(options)) if options else TOKENS, max_size=6))
    before = _files(here)
    try:
        _leaf(path).make_context(" ".join(path), argv)
    except NullsightError:
        pass
    except Exception as exc:  # noqa: BLE001
        if type(exc).__name__ != "Exit":
            assert isinstance(getattr(exc, "exit_code", None), int) and callable(getattr(exc, "show", None)), repr(exc)
    assert _files(here) == before


# --- each defect of issue #10, section 1 ---------------------------------------------------------------------------

USAGE = [
    (["audti"], "No such command"),
    (["audit", "--format", "xx", "nullsight:mlp"], "Invalid value for '--format'"),
    (["collide", "nullsight:mlp", "--n", "abc"], "Invalid value for '--n'"),
    (["stego", "sees"], "Missing argument 'MODEL'"),
    (["collide"], "Missing argument"),
    (["train", "--epochs", "0"], "Invalid value for '--epochs'"),
    (["audit", "nullsight:mlp", "--no-such"], "No such option"),
]


@pytest.mark.parametrize("argv, match", USAGE, ids=[" ".join(a) for a, _ in USAGE])
def test_usage_errors_are_one_line_and_exit_2(argv, match, capsys, here):
    err = fails(argv, capsys, here, match)
    assert err.startswith("nullsight: error: ") and len(err.strip().splitlines()) == 1 and "--help)" in err


BAD_OPTIONS = [
    (["collide", "nullsight:mlp-digits", "--data", "digits", "--beta", "-0.1"], "must be >= 0"),
    (["collide", "nullsight:mlp-digits", "--data", "digits", "--steps", "0"], "must be >= 1"),
    (["collide", "nullsight:mlp-digits", "--data", "digits", "--n", "0"], "must be >= 1"),
    (["collide", "nullsight:mlp-digits", "--data", "digits", "--betas", "0.1,0.2"], "No such option: --betas"),
    (["collide-sweep", "nullsight:mlp-digits", "--data", "digits", "--betas", "0.1,nan"], "not a finite number"),
    (["collide", "nullsight:mlp-digits", "--data", "digits", "--region", "0,0,9,9"], "outside the 8x8 image"),
    (["audit", "nullsight:mlp", "--rtol", "0"], "must be > 0"),
    (["audit", "nullsight:mlp", "--rtol", "-1e-3"], "must be > 0"),
    (["train", "--lr", "nan"], "not a finite number"),
    (["train", "--lr", "-1"], "must be > 0"),
    (["train", "--rescale", "0.5", "--no-rescale"], "contradict"),
    (["train", "--rescale", "inf"], "not a finite number"),
    (["train", "--out", "model.pth"], "*.safetensors"),
    (["stego", "conv", "--kernel", "0"], "must be >= 1"),
    (["stego", "conv", "--kernel", "30", "--size", "28"], "larger than the 28x28 image"),
    (["stego", "conv", "--size", "-3"], "must be >= 1"),
    (["stego", "eval", "CKPT", "--noise", "0.1,-0.05"], "must be >= 0"),
    (["stego", "eval", "CKPT", "--noise", "0.1,nan"], "not a finite number"),
    (["stego", "hide", "CKPT", "--cover", "digits:1", "--hidden", "digits:2", "--alpha1", "nan"], "not a finite"),
    (["stego", "hide", "CKPT", "--cover", "digits:1", "--hidden", "digits:2", "--image-out", "s.jpg"], ".png"),
    (["audit", "nullsight:mlp", "-o", ""], "name a file"),
    (["audit", "torchvison:squeezenet1_1"], "did you mean torchvision:squeezenet1_1?"),
]


@pytest.mark.parametrize("argv, match", BAD_OPTIONS, ids=[" ".join(a) for a, _ in BAD_OPTIONS])
def test_bad_values_are_refused_in_one_line(argv, match, capsys, here, ckpt):
    fails([str(ckpt) if a == "CKPT" else a for a in argv], capsys, here, match)


def test_n_larger_than_the_data_says_how_many_were_used(capsys, here):
    code, _, err = run(["collide", "nullsight:mlp-digits", "--data", "digits", "--n", "5000", "-q", "-f", "json",
                        "-o", "c.json"], capsys, here)
    assert code == 0 and "holds 359" in err and "using 359, not --n 5000" in err


def test_out_dash_is_stdout_and_out_replaces_stdout(capsys, here):
    code, out, _ = run(["stego", "conv", "--size", "6", "--max-filters", "2", "-o", "-"], capsys, here)
    assert code == 0 and '"kind": "stego-conv"' in out and not (here / "-").exists()
    code, out, _ = run(["stego", "conv", "--size", "6", "--max-filters", "2", "-o", "conv.json"], capsys, here)
    assert code == 0 and out == "" and (here / "conv.json").is_file()


def _checkpoint(tmp: Path, name: str, arch: str = "nullsight:mlp-digits", poison: str | None = None) -> Path:
    model = MLP((64, 32, 16, 10))
    if poison:
        with torch.no_grad():
            model.get_parameter(poison).view(-1)[0] = float("nan")
    return save_state_dict(model, tmp / name, {ARCH_METADATA_KEY: arch})


def test_nan_in_a_bias_is_named_by_every_model_command(capsys, here):
    bad = _checkpoint(here, "nan.safetensors", poison="layers.1.bias")
    for argv in (["audit", bad], ["collide", bad, "--data", "digits"], ["stego", "sees", bad, "--data", "digits"],
                 ["stego", "reveal", bad, "x.npy"], ["stego", "conv", bad]):
        fails(argv, capsys, here, "layers.1.bias (1 value)")


def test_checkpoint_messages(capsys, here):
    good = _checkpoint(here, "good.safetensors")
    (here / "renamed").write_bytes(good.read_bytes())  # safetensors without its suffix: recognised by its header
    assert run(["audit", here / "renamed", "-q", "-f", "json", "-o", "a.json"], capsys, here)[0] == 0
    (here / "random.pth").write_bytes(random.Random(0).randbytes(4096))  # seeded: 1 in 256 looks like a pickle
    fails(["audit", here / "random.pth"], capsys, here, "unreadable checkpoint")
    _checkpoint(here, "self.safetensors", arch=str(here / "self.safetensors"))
    fails(["audit", here / "self.safetensors"], capsys, here, "names a file")
    torch.save(MLP((64, 20, 10)).state_dict(), here / "other.pt")
    err = fails(["audit", here / "other.pt", "--arch", "nullsight:mlp-digits"], capsys, here, "does not fit MLP")
    assert "missing 2 key(s): layers.5.bias, layers.5.weight" in err and "layers.1.weight 20x64 vs 32x64" in err


def test_factories_that_need_arguments_or_raise(capsys, here, monkeypatch):
    (here / "fuzz_factories.py").write_text(textwrap.dedent("""
        import torch
        def needs(n):
            return torch.nn.Linear(n, 2)
        def raises():
            raise ValueError("broken factory")
    """))
    monkeypatch.syspath_prepend(str(here))
    fails(["audit", "fuzz_factories:needs"], capsys, here, "cannot be called without arguments")
    fails(["audit", "fuzz_factories:raises"], capsys, here, "raised ValueError: broken factory")


def test_decompression_bomb_is_refused(capsys, here, monkeypatch):
    from PIL import Image

    Image.new("L", (64, 64)).save(here / "bomb.png")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # 4096 pixels > 2 x 1000: what PIL calls a bomb
    fails(["collide", "nullsight:mlp-digits", "--image", here / "bomb.png"], capsys, here, "decompression bomb")


def test_train_divergence_writes_nothing_and_names_epoch_and_step(capsys, here):
    err = fails(["train", "nullsight:mlp-digits", "--data", "digits", "--epochs", "2", "--lr", "1e30", "-q",
                 "--out", "m.safetensors", "--results", "r.json"], capsys, here, "training diverged")
    assert "at epoch 1, step" in err and not list(here.iterdir())


def test_train_model_that_cannot_take_the_data(capsys, here, monkeypatch):
    (here / "fuzz_flat.py").write_text(textwrap.dedent("""
        import torch
        def build():
            model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(100, 10))
            model.input_size = (100,)
            return model
    """))
    monkeypatch.syspath_prepend(str(here))
    fails(["train", "fuzz_flat:build", "--data", "digits", "--epochs", "1", "-q", "--out", "m.safetensors"],
          capsys, here, "cannot take inputs of shape (1, 8, 8)")


def test_outputs_checked_before_work(capsys, here):
    (here / "file").write_text("x")
    blocked = here / "file" / "sub"
    fails(["audit", "--table2", "--results-dir", blocked, "-q"], capsys, here, "not a directory")
    fails(["collide", "nullsight:mlp-digits", "--data", "digits", "--save-images", blocked],
          capsys, here, "not a directory")
    fails(["collide-sweep", "nullsight:mlp-digits", "--data", "digits", "--results-dir", blocked],
          capsys, here, "not a directory")
    fails(["collide", "nullsight:mlp-digits", "--data", "digits", "--save-images", here / "imgs", "-o", blocked / "c.json"],
          capsys, here, "not a directory")
    fails(["train", "--results", blocked / "r.json"], capsys, here, "not a directory")
    fails(["data", "fetch", "digits", "--root", blocked], capsys, here, "not a directory")
    fails(["report", "--out", blocked / "r.html"], capsys, here, "not a directory")


def test_report_names_the_malformed_file(capsys, here):
    (here / "bad.json").write_text('{"kind": "stego-conv", "size": 3}')
    fails(["report", here / "bad.json", "-o", "r.html"], capsys, here, f"{here / 'bad.json'}: malformed stego-conv")


def test_weights_default_without_a_network_fails_fast(capsys, here, monkeypatch):
    from nullsight.models import pretrained

    monkeypatch.setattr(pretrained, "reachable", lambda *a, **k: False)
    fails(["audit", "timm:test_vit", "--weights", "default"], capsys, here, "--weights PATH")


# --- signals: subprocesses -------------------------------------------------------------------------------------------


def _as_from_a_terminal() -> None:
    """Ctrl-C's default disposition in the child: a suite started in the background (``make test &``, nohup) hands
    its children SIGINT ignored, which Python and nullsight rightly keep ignoring."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


SLOW_WRITE = textwrap.dedent("""
    import sys, time
    from nullsight.cli import app, main
    from nullsight.io import atomic_path, write_text

    @app.command("slow-write")
    def slow_write(path: str) -> None:
        write_text(path + ".first", "written before the signal")  # in the command's output group: never renamed
        with atomic_path(path) as tmp:
            tmp.write_text("partial")
            print("ready", flush=True)
            for _ in range(6000):  # short sleeps: a signal that lands on another thread is still handled within 0.1 s
                time.sleep(0.1)

    sys.exit(main(["slow-write", sys.argv[1]]))
""")


@pytest.mark.parametrize("signum, code, message", [(signal.SIGINT, 130, "nullsight: interrupted"),
                                                   (signal.SIGTERM, 143, "nullsight: terminated")])
def test_signal_during_a_write_leaves_nothing(tmp_path, signum, code, message):
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen([sys.executable, "-c", SLOW_WRITE, str(tmp_path / "out.json")], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, preexec_fn=_as_from_a_terminal)
    try:
        assert proc.stdout.readline().strip() == "ready"
        assert any(p.name.startswith(".out.json.") for p in tmp_path.iterdir())  # the hidden temporary file
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=600)  # a guard: the process exits as soon as it handles the signal
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == code, err
    assert err.strip() == message and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_in_a_real_command(tmp_path):
    """``nullsight train`` interrupted after its first epoch: exit 130, one line, no checkpoint."""
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    checkpoint = tmp_path / "m.safetensors"
    proc = subprocess.Popen([sys.executable, "-m", "nullsight", "train", "nullsight:mlp-digits", "--data",
                             "digits", "--epochs", "100000", "--out", str(checkpoint)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path,
                            preexec_fn=_as_from_a_terminal)
    try:
        resume = tmp_path / "m.safetensors.resume.pt"  # written after each epoch: training is under way
        for _ in range(6000):
            if resume.exists() or proc.poll() is not None:
                break
            time.sleep(0.05)
        assert resume.exists(), proc.stderr.read() if proc.poll() is not None else "no epoch finished"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=600)  # a guard, as above
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == 130, err
    assert err.strip() == "nullsight: interrupted" and out == ""
    assert not checkpoint.exists()


def test_bad_array_and_image_inputs_to_stego(capsys, here, ckpt):
    import numpy as np
    from PIL import Image

    for name, array, match in (("s.npy", np.array(["a"]), "not numbers"), ("e.npy", np.zeros((0, 8)), "is empty"),
                               ("n.npy", np.full((1, 8, 8), np.nan), "NaN/Inf value(s), the first at index (0, 0, 0)")):
        np.save(here / name, array)
        fails(["stego", "reveal", ckpt, here / name], capsys, here, match)
    (here / "tiny").mkdir()
    for i in range(2):
        Image.new("L", (1, 1)).save(here / "tiny" / f"{i}.png")
    fails(["stego", "sees", ckpt, "--data", here / "tiny"], capsys, here, "images are 1x1x1")
    fails(["stego", "eval", ckpt, "--cover-data", here / "tiny", "--hidden-data", here / "tiny"], capsys, here,
          "images are 1x1x1")


def test_stego_n_larger_than_the_data_says_how_many_were_used(capsys, here, ckpt):
    code, out, err = run(["stego", "sees", ckpt, "--data", "digits", "--n", "5000", "-o", "s.json"], capsys, here)
    assert code == 0 and "using 359, not --n 5000" in err and out == ""


def test_report_to_stdout(capsys, here):
    (here / "r.json").write_text('{"kind": "something-new", "title": "x", "value": 1}')
    code, out, _ = run(["report", here / "r.json", "-o", "-"], capsys, here)
    assert code == 0 and out.lstrip().lower().startswith("<!doctype html") and not (here / "-").exists()


def test_train_checks_the_models_cache_before_training(capsys, here, monkeypatch):
    (here / "file").write_text("x")
    monkeypatch.setenv("NULLSIGHT_MODELS", str(here / "file" / "models"))
    fails(["train", "nullsight:mlp-digits", "--data", "digits", "--epochs", "1", "-q"], capsys, here,
          "not a directory")


def test_nan_in_a_factory_model_is_named(capsys, here, monkeypatch):
    (here / "fuzz_nan.py").write_text(textwrap.dedent("""
        import torch
        def build():
            model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, 10))
            with torch.no_grad():
                model[1].bias[3] = float("nan")
            model.input_size = (1, 8, 8)
            return model
    """))
    monkeypatch.syspath_prepend(str(here))
    for argv in (["audit", "fuzz_nan:build"], ["collide", "fuzz_nan:build", "--data", "digits"]):
        fails(argv, capsys, here, "1.bias (1 value)")

"""The error contract's last defects (issue 19, item 10) and the input file fixing the sample shape (item 4).

Each defect found by the hostile-user tries is one test: a one-line message that says what is wrong and what to do,
exit 2, no traceback, no file left behind.
"""

from __future__ import annotations

import json
import os
import pickle
import textwrap

import numpy as np
import pytest

from nullsight.cli import main
from nullsight.provenance import PROVENANCE_KEYS


def one_line_error(capsys, *argv, match: str) -> str:
    capsys.readouterr()
    code = main([str(a) for a in argv])
    _, err = capsys.readouterr()
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2, (code, err)
    assert len(lines) == 1 and lines[0].startswith("nullsight: error: "), err
    assert match in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --- numbers are checked at the door, sizes against the machine's memory --------------------------------------------

@pytest.mark.parametrize("argv, match", [
    (["geometry", "analyze", "nullsight:mlp-digits", "--data", "digits", "--n-pixel", "-5"], "--n-pixel"),
    (["audit", "nullsight:mlp", "--seed", "99999999999999999999999"], "--seed"),
    (["audit", "nullsight:mlp", "--input-size", "100000,100000,100000"], "of memory"),
    (["stego", "conv", "--size", "100000"], "of memory"),
    (["sampling", "kernels", "--larger", "-5"], "--larger"),
    (["sampling", "kernels", "--larger", "10000000"], "of memory"),
    (["geometry", "detect", "nullsight:mlp-digits", "--attacks", "pgd:2"], "(0, 1]"),
    (["masks", "compute", "nullsight:mlp-digits", "--attacks", "pgd,nope", "--masks-dir", "m"], "unknown attack"),
])
def test_bad_numbers_are_refused_at_the_door(argv, match, capsys, here):
    one_line_error(capsys, *argv, match=match)
    assert not list(here.iterdir())


# --- training resumes, or says why it cannot ---------------------------------------------------------------------------

def test_a_corrupt_resume_file_is_one_line_and_restart_replaces_it(capsys, here):
    (here / "m.safetensors.resume.pt").write_bytes(b"not a training state")
    argv = ["train", "nullsight:mlp-digits", "--data", "digits", "--epochs", "1", "--n-train", "64", "-q",
            "--out", "m.safetensors"]
    err = one_line_error(capsys, *argv, match="corrupt resume file m.safetensors.resume.pt")
    assert err.endswith("remove it or pass --restart") and "weights_only" not in err
    assert main([*argv, "--restart"]) == 0
    assert (here / "m.safetensors").is_file() and not (here / "m.safetensors.resume.pt").exists()


# --- checkpoints: what they are, and never a hint to turn safety off ---------------------------------------------------

class _Payload:
    def __reduce__(self):
        return (os.system, ("echo ran > pwned",))


@pytest.mark.parametrize("suffix", [".pt", ".pkl", ".bin"])
def test_a_code_carrying_plain_pickle_is_refused_as_unsafe(suffix, capsys, here):
    path = here / f"evil{suffix}"
    path.write_bytes(pickle.dumps({"w": _Payload()}))
    err = one_line_error(capsys, "audit", path, "--arch", "nullsight:mlp", match="could run code")
    assert "weights_only" not in err and "corrupt" not in err
    assert not (here / "pwned").exists()


def test_a_folder_given_as_a_checkpoint_is_called_a_folder(capsys, here):
    (here / "ckpt.safetensors").mkdir()
    (here / "plain").mkdir()
    one_line_error(capsys, "audit", here / "ckpt.safetensors", match="is a folder, not a checkpoint file")
    one_line_error(capsys, "audit", here / "plain", match="is a folder, not a checkpoint file")


# --- messages that point where they should -----------------------------------------------------------------------------

def test_a_negative_data_index_says_so(capsys, here):
    one_line_error(capsys, "stego", "hide", "nullsight:mlp-digits", "--cover", "digits:-1", "--hidden", "digits:1",
                   match="index of 0 or more")


def test_purify_and_detect_have_the_resize_their_messages_suggest(capsys):
    """A channel mismatch suggests --resize (collisions.runner.load_inputs): every command reaching it takes it."""
    for command in ("purify", "detect", "collide"):
        capsys.readouterr()
        assert main([command, "--help"]) == 0
        assert "--resize" in capsys.readouterr().out


# --- finite inputs whose results overflow are errors, not JSON nulls --------------------------------------------------

def test_fig1_overflow_is_an_error(capsys, here):
    one_line_error(capsys, "stego", "fig1", "--extent", "1e308", "-o", "f.json", match="not finite")
    assert not (here / "f.json").exists()


def test_reveal_of_huge_pixels_is_finite_or_an_error(capsys, here):
    np.save(here / "big.npy", np.full((1, 8, 8), 1e37))
    capsys.readouterr()
    code = main(["stego", "reveal", "nullsight:mlp-digits", str(here / "big.npy"), "-o", "r.json"])
    _, err = capsys.readouterr()
    if code == 0:
        data = json.loads((here / "r.json").read_text())
        assert all(v is not None for k, v in data.items() if k not in PROVENANCE_KEYS), data  # provenance: may not apply
    else:
        assert code == 2 and "not finite" in err


# --- masks compute leaves no empty folder -------------------------------------------------------------------------------

def test_a_failed_command_leaves_no_folder_its_writes_created(here):
    """``masks compute --masks-dir out/masks`` interrupted (an error, Ctrl-C, SIGTERM) after its first mask file:
    the pending file goes, and so do the folders the write created."""
    from nullsight.io import output_group, write_text

    (here / "kept").mkdir()
    with pytest.raises(KeyboardInterrupt), output_group():
        write_text(here / "out" / "masks" / "essential.safetensors", "x")
        write_text(here / "kept" / "a.json", "x")
        raise KeyboardInterrupt
    assert sorted(p.name for p in here.iterdir()) == ["kept"] and not list((here / "kept").iterdir())


# --- the input file fixes the sample shape where the model does not -----------------------------------------------------

@pytest.fixture
def linear_first(here, monkeypatch):
    """A factory module whose first operator is Linear(250, 16): it declares no input size."""
    (here / "linnets.py").write_text(textwrap.dedent('''
        import torch
        from torch import nn

        def build():
            torch.manual_seed(0)
            return nn.Sequential(nn.Linear(250, 16), nn.ReLU(), nn.Linear(16, 3))
    '''))
    monkeypatch.syspath_prepend(str(here))
    return "linnets:build"


def test_collide_takes_the_sample_shape_from_the_input_file(linear_first, capsys, here):
    np.save(here / "x.npy", np.random.default_rng(0).random((4, 250)))
    capsys.readouterr()
    code = main(["collide", linear_first, "--input", str(here / "x.npy"), "--n", "4", "-f", "json", "-q"])
    out, err = capsys.readouterr()
    assert code == 0, err
    data = json.loads(out)
    assert data["exact"] and data["first_layer"]["weight_shape"] == [16, 250] and len(data["images"]) == 4


def test_an_input_file_the_model_cannot_take_is_one_line(linear_first, capsys, here):
    np.save(here / "y.npy", np.zeros((4, 300)))
    one_line_error(capsys, "collide", linear_first, "--input", here / "y.npy", match="cannot take inputs of shape (300,)")
    np.save(here / "z.npy", np.zeros(250))
    one_line_error(capsys, "collide", linear_first, "--input", here / "z.npy", match="--input-size")

"""``nullsight stego hide | reveal | eval | sees | conv``: seed 001's null space of nonlinear maps."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..errors import InvalidInputError
from ..io import write_json
from .app import app
from .common import ArchOption, OutOption, SeedOption, command_line, emit_json

stego_app = typer.Typer(help="Null-space steganography and what the network sees (seed 001).", no_args_is_help=True)
app.add_typer(stego_app, name="stego")

ModelOption = typer.Option(..., "--model", "-m", help="A trained checkpoint (e.g. from `nullsight train`).")


def _finish(result: dict, out: Optional[Path]) -> None:
    result["command"] = command_line()
    if out is not None:
        write_json(out, result)
    emit_json(result, None)


def _noise(text: str) -> tuple[float, ...]:
    try:
        return tuple(float(v) for v in text.split(",") if v.strip())
    except ValueError:
        raise InvalidInputError(f"--noise takes comma-separated numbers, got {text!r}") from None


@stego_app.command("hide")
def hide_cmd(
    model: str = ModelOption,
    cover: str = typer.Option(..., "--cover", help="An image file or DATA:INDEX (e.g. fashion-mnist:3)."),
    hidden: str = typer.Option(..., "--hidden", help="An image file or DATA:INDEX (e.g. mnist:7)."),
    alpha1: float = typer.Option(0.2, "--alpha1", help="Weight of the hidden image's row-space part."),
    alpha2: Optional[float] = typer.Option(None, "--alpha2", help="Weight of the cover's null-space part; default: largest in range."),
    image_out: Path = typer.Option(Path("stego.png"), "--image-out", help="Stego image (8-bit PNG; a lossless .npy beside it)."),
    arch: Optional[str] = ArchOption,
    out: Optional[Path] = OutOption,
) -> None:
    """Hide the class of one image inside the look of another: S = a1*H_perp + a2*C_hat."""
    from ..stego.runner import hide_run

    _finish(hide_run(model, cover, hidden, alpha1, alpha2, image_out, arch), out)


@stego_app.command("reveal")
def reveal_cmd(model: str = ModelOption, stego: Path = typer.Argument(..., help="A .npy written by `hide`, or an image."),
               arch: Optional[str] = ArchOption, out: Optional[Path] = OutOption) -> None:
    """What the network reads in a stego image."""
    from ..stego.runner import reveal_run

    _finish(reveal_run(model, stego, arch), out)


@stego_app.command("eval")
def eval_cmd(
    model: str = ModelOption,
    cover_data: str = typer.Option("mnist", "--cover-data"),
    hidden_data: str = typer.Option("mnist", "--hidden-data"),
    n: Optional[int] = typer.Option(None, "--n", help="Number of pairs (default: the whole test set)."),
    alpha1: float = typer.Option(0.2, "--alpha1"),
    alpha2: Optional[float] = typer.Option(None, "--alpha2"),
    noise: str = typer.Option("0.01,0.05", "--noise", help="Pixel-noise std values to test."),
    seed: int = SeedOption,
    arch: Optional[str] = ArchOption,
    out: Optional[Path] = OutOption,
) -> None:
    """Success rate, confidence and look of stego images over a test set, and what breaks them."""
    from ..stego.runner import eval_run

    _finish(eval_run(model, cover_data, hidden_data, n, alpha1, alpha2, _noise(noise), seed, arch), out)


@stego_app.command("sees")
def sees_cmd(model: str = ModelOption, data: str = typer.Option("mnist", "--data"), n: int = typer.Option(16, "--n", min=1),
             arch: Optional[str] = ArchOption, out: Optional[Path] = OutOption) -> None:
    """What the network sees: the row-space projection of inputs, with the prediction check."""
    from ..stego.runner import sees_run

    _finish(sees_run(model, data, n, arch), out)


@stego_app.command("conv")
def conv_cmd(
    size: int = typer.Option(28, "--size"),
    kernel: int = typer.Option(3, "--kernel"),
    max_filters: int = typer.Option(6, "--max-filters", min=1),
    padding: str = typer.Option("valid", "--padding", help="valid | same"),
    model: Optional[str] = typer.Option(None, "--model", help="Use this model's first Conv2d kernels instead of random ones."),
    seed: int = SeedOption,
    out: Optional[Path] = OutOption,
) -> None:
    """Null space of a first convolution as filters are added (App. B): the intersection over kernels."""
    from ..stego.runner import conv_run

    if padding not in ("valid", "same"):
        raise InvalidInputError(f"--padding must be valid or same, got {padding!r}")
    _finish(conv_run(size, kernel, max_filters, padding, model, seed), out)

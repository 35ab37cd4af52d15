"""``nullsight stego hide | reveal | eval | sees | conv``: seed 001's null space of nonlinear maps."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from ..errors import InvalidInputError
from .app import app
from .common import (ArchOption, OutOption, SeedOption, at_least_one, check_memory, data_option,
                     emit_result, float_list, model_argument, n_option, non_negative, note, number, output_file,
                     positive)

stego_app = typer.Typer(help="Null-space steganography and what the network sees (seed 001).", no_args_is_help=True)
app.add_typer(stego_app, name="stego")

StegoModel = model_argument(..., "A trained checkpoint (e.g. from `nullsight train`) or a model spec.")


def _noise(text: str) -> tuple[float, ...]:
    return float_list(text, "--noise", 0.0)


def _note_fewer(used: int, asked: Optional[int], data: str) -> None:
    if asked is not None and used < asked:
        note(f"{data} holds {used} test image(s); using {used}, not --n {asked}")


def _png(param: typer.CallbackParam, value: Path) -> Path:
    """``--image-out`` is an 8-bit PNG (a lossless .npy is written beside it): refuse another suffix."""
    if value.suffix.lower() != ".png":
        raise typer.BadParameter(f"{value} must end in .png (a lossless .npy is written beside it)", param=param)
    output_file(param, value)
    output_file(param, value.with_suffix(".npy"))
    return value


@stego_app.command("hide")
def hide_cmd(
    model: str = StegoModel,
    cover: str = typer.Option(..., "--cover", help="An image file or DATA:INDEX (e.g. fashion-mnist:3)."),
    hidden: str = typer.Option(..., "--hidden", help="An image file or DATA:INDEX (e.g. mnist:7)."),
    alpha1: float = typer.Option(0.2, "--alpha1", callback=positive, help="Weight of the hidden image's row-space part."),
    alpha2: Optional[float] = typer.Option(None, "--alpha2", callback=non_negative, help="Weight of the cover's null-space part; default: largest in range."),
    image_out: Path = typer.Option(Path("stego.png"), "--image-out", callback=_png, help="Stego image (8-bit PNG; a lossless .npy beside it)."),
    arch: Optional[str] = ArchOption,
    out: Optional[Path] = OutOption,
) -> None:
    """Hide the class of one image inside the look of another: S = a1*H_perp + a2*C_hat."""
    from ..io import output_group, write_npy, write_png
    from ..stego.runner import hide_run

    result = hide_run(model, cover=cover, hidden=hidden, alpha1=alpha1, alpha2=alpha2, arch=arch)
    npy = image_out.with_suffix(".npy")
    result.stego_png, result.stego_npy = str(image_out), str(npy)
    with output_group():  # the PNG, the .npy and the JSON land together or not at all
        write_png(image_out, result.stego_pixels)
        write_npy(npy, result.stego_model_space)
        emit_result(result, out)


@stego_app.command("reveal")
def reveal_cmd(model: str = StegoModel, stego: Path = typer.Argument(..., help="A .npy written by `hide`, or an image."),
               arch: Optional[str] = ArchOption, out: Optional[Path] = OutOption) -> None:
    """What the network reads in a stego image."""
    from ..stego.runner import reveal_run

    emit_result(reveal_run(model, stego, arch=arch), out)


@stego_app.command("eval")
def eval_cmd(
    model: str = StegoModel,
    cover_data: str = typer.Option("mnist", "--cover-data", help="Data source of the cover images."),
    hidden_data: str = typer.Option("mnist", "--hidden-data", help="Data source of the hidden images."),
    n: Optional[int] = n_option(None, "Number of pairs (default: the whole test set)."),
    alpha1: float = typer.Option(0.2, "--alpha1", callback=positive, help="Weight of the hidden image's row-space part."),
    alpha2: Optional[float] = typer.Option(None, "--alpha2", callback=non_negative, help="Weight of the cover's null-space part; default: largest in range."),
    noise: str = typer.Option("0.01,0.05", "--noise", help="Pixel-noise std values to test."),
    protocol: str = typer.Option("ours", "--protocol", help="ours: unfiltered test pairs, success pred S = pred H | paper: seed 001's filtered training images (H and 0.2H correct), success pred S = label of H."),
    per_class: int = typer.Option(5000, "--per-class", callback=at_least_one, help="--protocol paper: hidden images per class (the paper: 5,000)."),
    seed: int = SeedOption,
    arch: Optional[str] = ArchOption,
    out: Optional[Path] = OutOption,
) -> None:
    """Success rate, confidence and look of stego images over a test set, and what breaks them."""
    from ..stego.runner import eval_run

    result = eval_run(model, cover_data=cover_data, hidden_data=hidden_data, n=n, alpha1=alpha1, alpha2=alpha2,
                      noise=_noise(noise), seed=seed, arch=arch, protocol=protocol, per_class=per_class)
    if protocol == "paper" and result.paper_protocol is not None:
        short = [k for k, c in enumerate(result.paper_protocol.selected_per_class) if c < per_class]
        if short:
            note(f"classes {short} have fewer than {per_class} eligible training images: "
                 f"{result.paper_protocol.selected_per_class}")
    else:
        _note_fewer(result.n, n, cover_data)
    emit_result(result, out)


@stego_app.command("sees")
def sees_cmd(model: str = StegoModel, data: str = data_option("mnist"),
             n: int = n_option(16, "Test images shown."), arch: Optional[str] = ArchOption, out: Optional[Path] = OutOption) -> None:
    """What the network sees: the row-space projection of inputs, with the prediction check."""
    from ..stego.runner import sees_run

    result = sees_run(model, data, n=n, arch=arch)
    _note_fewer(result.n, n, data)
    emit_result(result, out)


@stego_app.command("fig1")
def fig1_cmd(extent: float = typer.Option(3.0, "--extent", callback=positive, help="The grid covers [-E, E]²."),
             resolution: int = typer.Option(41, "--resolution", min=3, max=401, help="Grid points a side."),
             seed: int = SeedOption, out: Optional[Path] = OutOption) -> None:
    """Fig. 1: a seeded (2, 1, 3, 1)-ReLU network's output surface, flat along its 1-D null space."""
    from ..stego.runner import fig1_run

    emit_result(fig1_run(seed=seed, extent=extent, resolution=resolution), out)


@stego_app.command("fig11")
def fig11_cmd(models: List[str] = typer.Argument(..., metavar="MODEL...", help="Two or more trained checkpoints."),
              data: str = data_option("mnist"), n: int = n_option(16, "Test images compared."),
              arch: Optional[str] = ArchOption, out: Optional[Path] = OutOption) -> None:
    """Fig. 11: networks trained differently see different row-space images of the same inputs."""
    from ..stego.runner import fig11_run

    result = fig11_run(models, data, n=n, arch=arch)
    _note_fewer(result.n, n, data)
    emit_result(result, out)


@stego_app.command("conv")
def conv_cmd(
    size: int = typer.Option(28, "--size", callback=at_least_one, help="Image side in pixels."),
    kernel: int = typer.Option(3, "--kernel", callback=at_least_one, help="Kernel side (random kernels; at most --size)."),
    max_filters: int = typer.Option(6, "--max-filters", callback=at_least_one, help="Filters added one by one."),
    padding: str = typer.Option("valid", "--padding", help="valid | same"),
    model: Optional[str] = model_argument(None, "A model whose first Conv2d kernels are used (default: random kernels)."),
    seed: int = SeedOption,
    out: Optional[Path] = OutOption,
) -> None:
    """Null space of a first convolution as filters are added (App. B): the intersection over kernels."""
    from ..stego.runner import conv_run

    if padding not in ("valid", "same"):
        raise InvalidInputError(f"--padding must be valid or same, got {padding!r}")
    if model is None and kernel > size:
        raise InvalidInputError(f"--kernel {kernel} is larger than the {size}x{size} image (--size)")
    # the dense operator (filters x size^2 by size^2, fp64) and its SVD, about three copies: refused before the work
    check_memory(3 * 8 * max_filters * float(size) ** 4, f"--size {size} with --max-filters {max_filters}")
    emit_result(conv_run(size=size, kernel=kernel, max_filters=max_filters, padding=padding, model=model, seed=seed),
                out)

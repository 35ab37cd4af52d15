"""``nullsight detect`` and ``nullsight purify``: defences against null-space collisions and steganography."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .app import app
from .common import (ArchOption, DeviceOption, ModelArgument, OutOption, SeedOption, WeightsOption, data_option,
                     emit_result, n_option, non_negative, output_file, positive)

ResizeOption = typer.Option(False, "--resize", help="Resize / convert the images to the model's input size.")


@app.command("detect")
def detect(
    model: str = ModelArgument,
    data: str = data_option("mnist", "Clean inputs: a data source."),
    n: int = n_option(1000, "How many test inputs."),
    resize: bool = ResizeOption,
    beta: float = typer.Option(0.1, "--beta", callback=non_negative, help="L-inf size of the collisions to detect."),
    alpha1: float = typer.Option(0.2, "--alpha1", callback=positive, help="Seed 001's weight of the hidden image."),
    weights: str = WeightsOption,
    arch: Optional[str] = ArchOption,
    out: Optional[Path] = OutOption,
    seed: int = SeedOption,
    device: str = DeviceOption,
) -> None:
    """ROC AUC of the null-space energy share: clean inputs vs collided inputs and vs stego images."""
    from ..collisions.runner import load_inputs
    from ..defend.runner import detect_run
    from ..device import resolve_device

    loaded, inputs = load_inputs(model, weights=weights, arch=arch, seed=seed, device=str(resolve_device(device)),
                                 data=data, n=n, resize=resize)
    emit_result(detect_run(loaded, inputs, beta=beta, alpha1=alpha1, seed=seed), out)


@app.command("purify")
def purify(
    model: str = ModelArgument,
    data: str = data_option("mnist", "Inputs to purify: a data source."),
    n: int = n_option(100, "How many inputs to purify."),
    resize: bool = ResizeOption,
    second: Optional[str] = typer.Option(None, "--second-model", help="Another model reading the raw inputs."),
    save: Optional[Path] = typer.Option(None, "--save", callback=output_file, help="Write the purified inputs here (.npy, lossless)."),
    weights: str = WeightsOption,
    arch: Optional[str] = ArchOption,
    out: Optional[Path] = OutOption,
    seed: int = SeedOption,
    device: str = DeviceOption,
) -> None:
    """Project inputs onto the row space of the first operator: the prediction is kept (verified), hidden content goes."""
    from ..collisions.runner import load_inputs
    from ..defend.runner import purify_run
    from ..device import resolve_device
    from ..io import output_group, write_npy

    loaded, inputs = load_inputs(model, weights=weights, arch=arch, seed=seed, device=str(resolve_device(device)),
                                 data=data, n=n, resize=resize)
    result, pure = purify_run(loaded, inputs, second=second, seed=seed)
    with output_group():
        if save is not None:
            write_npy(save, pure)
        emit_result(result, out)

"""``nullsight detect`` and ``nullsight purify``: defences against null-space collisions and steganography."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .app import app
from .common import (ArchOption, DeviceOption, OutOption, SeedOption, WeightsOption, at_least_one, emit_result,
                     non_negative)


@app.command("detect")
def detect(
    model: str = typer.Argument(..., help="A model spec or checkpoint (its first operator must have a null space)."),
    data: str = typer.Option("mnist", "--data", help="Clean inputs: a data source."),
    n: int = typer.Option(1000, "--n", callback=at_least_one, help="How many test inputs."),
    beta: float = typer.Option(0.1, "--beta", callback=non_negative, help="L-inf size of the collisions to detect."),
    alpha1: float = typer.Option(0.2, "--alpha1", callback=non_negative, help="Seed 001's weight of the hidden image."),
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

    loaded, inputs = load_inputs(model, weights, arch, seed, str(resolve_device(device)), data=data, n=n)
    emit_result(detect_run(loaded, inputs, beta=beta, alpha1=alpha1, seed=seed), out)


@app.command("purify")
def purify(
    model: str = typer.Argument(..., help="A model spec or checkpoint (its first operator must have a null space)."),
    data: str = typer.Option("mnist", "--data", help="Inputs to purify: a data source."),
    n: int = typer.Option(100, "--n", callback=at_least_one),
    second: Optional[str] = typer.Option(None, "--second-model", help="Another model reading the raw inputs."),
    save: Optional[Path] = typer.Option(None, "--save", help="Write the purified inputs here (.npy, lossless)."),
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

    loaded, inputs = load_inputs(model, weights, arch, seed, str(resolve_device(device)), data=data, n=n)
    result, pure = purify_run(loaded, inputs, second=second, seed=seed)
    with output_group():
        if save is not None:
            write_npy(save, pure)
        emit_result(result, out)

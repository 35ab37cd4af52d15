"""``nullsight train``: the one training loop (seed 001's MLP with rescaled copies), DDP under torchrun."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from ..io import write_json
from .app import app
from .common import DeviceOption, QuietOption, SeedOption, command_line, emit_json, tracker


@app.command("train")
def train(
    arch: str = typer.Option("nullsight:mlp", "--arch", help="Architecture to train (a model spec)."),
    data: str = typer.Option("mnist", "--data", help="Data source (mnist, fashion-mnist, digits, cifar10, ...)."),
    epochs: int = typer.Option(10, "--epochs", min=1),
    batch_size: int = typer.Option(128, "--batch-size", min=1),
    lr: float = typer.Option(1e-3, "--lr"),
    rescale: List[float] = typer.Option([0.2], "--rescale", help="Add copies scaled by this factor (repeatable; seed 001: 0.2)."),
    no_rescale: bool = typer.Option(False, "--no-rescale", help="Train on the original images only."),
    normalization: str = typer.Option("pm1", "--normalization", help="pm1 ([-1, 1], seed 001) | dataset (mean/std)."),
    optimizer: str = typer.Option("adam", "--optimizer", help="adam | sgd (momentum 0.9, Nesterov)."),
    weight_decay: float = typer.Option(0.0, "--weight-decay", min=0.0),
    augment: str = typer.Option("none", "--augment", help="Batch augmentation: none | crop | crop-flip | ..."),
    n_train: Optional[int] = typer.Option(None, "--n-train", help="Use only the first N training images."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Checkpoint path (.safetensors); default: the models cache."),
    results: Optional[Path] = typer.Option(None, "--results", help="Write the result JSON here (e.g. results/stego/train-mnist.json)."),
    seed: int = SeedOption,
    device: str = DeviceOption,
    quiet: bool = QuietOption,
) -> None:
    """Train a classifier and record its accuracy on the original and rescaled test sets."""
    from ..device import resolve_device
    from ..errors import InvalidInputError
    from ..train import TrainConfig
    from ..train import distributed
    from ..train.runner import train_run

    if normalization not in ("pm1", "dataset"):
        raise InvalidInputError(f"--normalization must be pm1 or dataset, got {normalization!r}")
    dev = resolve_device(device)
    config = TrainConfig(epochs=epochs, batch_size=batch_size, lr=lr, rescale=[] if no_rescale else list(rescale), seed=seed,
                         optimizer=optimizer, weight_decay=weight_decay, augment=augment)
    with distributed.process_group(dev):
        result = train_run(arch, data, config, device=dev, normalization=normalization, n_train=n_train, out=out,
                           track=tracker(quiet))
        result["command"] = command_line()
        if distributed.is_main_process():
            if results is not None:
                write_json(results, result)
            emit_json(result, None)

"""``nullsight train``: the one training loop (seed 001's MLP with rescaled copies), DDP under torchrun."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from .app import app
from .common import (DeviceOption, QuietOption, SeedOption, at_least_one, emit_result, non_negative, output_file, positive,
                     tracker)

DEFAULT_RESCALE = 0.2  # seed 001


def _checkpoint_out(param: typer.CallbackParam, value: Optional[Path]) -> Optional[Path]:
    """``--out`` is a safetensors checkpoint: another suffix would hold bytes its name does not promise."""
    if value is not None:
        if value.suffix != ".safetensors":
            raise typer.BadParameter(f"{value}: checkpoints are written as safetensors; name the file *.safetensors",
                                     param=param)
        output_file(param, value)
    return value


@app.command("train")
def train(
    arch: str = typer.Option("nullsight:mlp", "--arch", help="Architecture to train (a model spec)."),
    data: str = typer.Option("mnist", "--data", help="Data source (mnist, fashion-mnist, digits, cifar10, ...)."),
    epochs: int = typer.Option(10, "--epochs", min=1),
    batch_size: int = typer.Option(128, "--batch-size", min=1),
    lr: float = typer.Option(1e-3, "--lr", callback=positive),
    rescale: Optional[List[float]] = typer.Option(None, "--rescale", callback=positive, help="Add copies scaled by this factor (repeatable; seed 001: 0.2)."),
    no_rescale: bool = typer.Option(False, "--no-rescale", help="Train on the original images only."),
    normalization: str = typer.Option("pm1", "--normalization", help="pm1 ([-1, 1], seed 001) | dataset (mean/std)."),
    optimizer: str = typer.Option("adam", "--optimizer", help="adam | sgd (momentum 0.9, Nesterov)."),
    weight_decay: float = typer.Option(0.0, "--weight-decay", callback=non_negative),
    schedule: str = typer.Option("cosine", "--schedule", help="Learning-rate schedule: cosine (per epoch) | onecycle (per batch) | constant."),
    label_smoothing: float = typer.Option(0.0, "--label-smoothing", callback=non_negative, help="Cross-entropy label smoothing in [0, 1)."),
    augment: str = typer.Option("none", "--augment", help="Batch augmentation: none | crop | crop-flip | ..."),
    n_train: Optional[int] = typer.Option(None, "--n-train", callback=at_least_one, help="Use only the first N training images."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", callback=_checkpoint_out, help="Checkpoint path (.safetensors); default: the models cache."),
    results: Optional[Path] = typer.Option(None, "--results", callback=output_file, help="Write the result JSON here (e.g. results/stego/train-mnist.json)."),
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

    if rescale and no_rescale:
        raise InvalidInputError("--rescale and --no-rescale contradict each other; pass one")
    rescale = [DEFAULT_RESCALE] if rescale is None else rescale
    if out is None:  # the models cache must take the checkpoint: known before training, not after
        from ..io import check_writable
        from ..models.store import models_root

        check_writable(models_root(), directory=True)
    if normalization not in ("pm1", "dataset"):
        raise InvalidInputError(f"--normalization must be pm1 or dataset, got {normalization!r}")
    dev = resolve_device(device)
    config = TrainConfig(epochs=epochs, batch_size=batch_size, lr=lr, rescale=[] if no_rescale else list(rescale), seed=seed,
                         optimizer=optimizer, weight_decay=weight_decay, augment=augment, schedule=schedule,
                         label_smoothing=label_smoothing)
    with distributed.process_group(dev):
        result = train_run(arch, data, config, device=dev, normalization=normalization, n_train=n_train, out=out,
                           track=tracker(quiet))
        if distributed.is_main_process():
            emit_result(result, results)

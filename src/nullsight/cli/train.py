"""``nullsight train``: the one training loop (seed 001's MLP with rescaled copies), DDP under torchrun."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from .app import app
from .common import (DeviceOption, QuietOption, SeedOption, at_least_one, data_option, emit_result, grouped, model_argument,
                     non_negative, number, out_option, output_file, positive, tracker)

DEFAULT_RESCALE = 0.2  # seed 001


def _checkpoint_out(param: typer.CallbackParam, value: Optional[Path]) -> Optional[Path]:
    """``--out`` is a safetensors checkpoint: another suffix would hold bytes its name does not promise."""
    if value is not None:
        if value.suffix != ".safetensors":
            raise typer.BadParameter(f"{value}: checkpoints are written as safetensors; name the file *.safetensors",
                                     param=param)
        output_file(param, value)
    return value


class Fit(str, Enum):
    """How images reach the model's input size (:data:`nullsight.data.transforms.FITS`)."""

    resize = "resize"
    pad = "pad"


@dataclass
class Recipe:
    """How to train: the hyper-parameters of :class:`~nullsight.train.TrainConfig` and the input normalisation."""

    epochs: int = typer.Option(10, "--epochs", callback=at_least_one, help="Passes over the training set.")
    batch_size: int = typer.Option(128, "--batch-size", callback=at_least_one, help="Images per step.")
    lr: float = typer.Option(1e-3, "--lr", callback=positive, help="Peak learning rate.")
    optimizer: str = typer.Option("adam", "--optimizer", help="adam | sgd (momentum 0.9, Nesterov).")
    weight_decay: float = typer.Option(0.0, "--weight-decay", callback=non_negative, help="L2 weight decay.")
    schedule: str = typer.Option("cosine", "--schedule", help="Learning-rate schedule: cosine (per epoch) | onecycle (per batch) | constant.")
    label_smoothing: float = typer.Option(0.0, "--label-smoothing", callback=number(0.0, 1.0, below=True), help="Cross-entropy label smoothing in [0, 1).")
    augment: str = typer.Option("none", "--augment", help="Batch augmentation: none | crop | crop-flip | ...")
    rescale: Optional[List[float]] = typer.Option(None, "--rescale", callback=positive, help="Add copies scaled by this factor (repeatable; seed 001: 0.2).")
    no_rescale: bool = typer.Option(False, "--no-rescale", help="Train on the original images only.")
    normalization: str = typer.Option("pm1", "--normalization", help="pm1 ([-1, 1], seed 001) | dataset (mean/std).")

    def config(self, seed: int):
        """The :class:`~nullsight.train.TrainConfig` of this recipe (contradictions refused in one line)."""
        from ..errors import InvalidInputError
        from ..train import TrainConfig

        if self.rescale and self.no_rescale:
            raise InvalidInputError("--rescale and --no-rescale contradict each other; pass one")
        if self.normalization not in ("pm1", "dataset"):
            raise InvalidInputError(f"--normalization must be pm1 or dataset, got {self.normalization!r}")
        rescale = [] if self.no_rescale else list(self.rescale or [DEFAULT_RESCALE])
        return TrainConfig(epochs=self.epochs, batch_size=self.batch_size, lr=self.lr, rescale=rescale, seed=seed,
                           optimizer=self.optimizer, weight_decay=self.weight_decay, augment=self.augment,
                           schedule=self.schedule, label_smoothing=self.label_smoothing)


@app.command("train")
@grouped
def train(
    model: Optional[str] = model_argument(None, "Architecture to train, a model spec (default: nullsight:mlp)."),
    arch: Optional[str] = typer.Option(None, "--arch", hidden=True, help="The architecture (older spelling of MODEL)."),
    data: str = data_option("mnist"),
    recipe: Recipe = None,
    n_train: Optional[int] = typer.Option(None, "--n-train", callback=at_least_one, help="Use only the first N training images."),
    out: Optional[Path] = out_option(None, _checkpoint_out, "Checkpoint path (.safetensors); default: the models cache."),
    results: Optional[Path] = typer.Option(None, "--results", callback=output_file, help="Write the result JSON here (e.g. results/stego/train-mnist.json)."),
    restart: bool = typer.Option(False, "--restart", help="Ignore (and replace) the resume file an interrupted run left beside the checkpoint."),
    fit: Fit = typer.Option(Fit.resize, "--fit", help="How images reach the model's input size: resize (bilinear) | pad (zeros around: keeps the native pixels)."),
    seed: int = SeedOption,
    device: str = DeviceOption,
    quiet: bool = QuietOption,
) -> None:
    """Train a classifier and record its accuracy on the original and rescaled test sets."""
    from ..device import resolve_device
    from ..errors import InvalidInputError
    from ..train import distributed
    from ..train.runner import train_run

    if model is not None and arch is not None and model != arch:
        raise InvalidInputError(f"two architectures: {model} and --arch {arch}; give one")
    spec = model or arch or "nullsight:mlp"
    config = recipe.config(seed)
    if out is None:  # the models cache must take the checkpoint: known before training, not after
        from ..io import check_writable
        from ..models.store import models_root

        check_writable(models_root(), directory=True)
    dev = resolve_device(device)
    with distributed.process_group(dev):
        result = train_run(spec, data, config=config, device=dev, normalization=recipe.normalization, n_train=n_train, out=out,
                           track=tracker(quiet), restart=restart, fit=fit.value)
        if distributed.is_main_process():
            emit_result(result, results)

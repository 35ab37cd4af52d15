"""From names to a trained, evaluated, saved classifier (``nullsight train``)."""

from __future__ import annotations

from pathlib import Path
import torch

from ..data import load_data
from ..models import load_model, save_state_dict
from ..models.store import checkpoint_name, models_root
from ..models.zoo import ARCH_METADATA_KEY, mlp_arch_for
from ..normalization import PM1, Normalization
from . import distributed
from ..progress import Tracker
from .references import reference_for
from .loop import TrainConfig, evaluate, train_classifier
from .result import Accuracy, InputNormalization, TrainHistory, TrainRun


def train_run(
    arch: str,
    data: str,
    *, config: TrainConfig,
    device: torch.device | str = "cpu",
    normalization: str = "pm1",
    n_train: int | None = None,
    out: Path | None = None,
    track: Tracker | None = None,
    restart: bool = False,
    fit: str = "resize",
) -> TrainRun:
    """Train ``arch`` on ``data``, evaluate on the original (and rescaled) train/test sets, save safetensors.

    Images are resized and converted to the architecture's input size where it
    declares one (Fashion-MNIST at 32x32x3 for ``nullsight:resnet20``); ``fit="pad"`` zero-pads instead of resizing.  The run
    resumes from ``<checkpoint>.resume.pt`` when an interrupted run left one (``restart``: starts afresh instead).
    Returns the :class:`TrainRun` with the checkpoint path; only the main
    process writes the checkpoint under torchrun.
    """
    probe = None if arch == "nullsight:mlp" else load_model(arch, seed=config.seed)
    shape = {} if probe is None or len(probe.input_size) != 3 else {"channels": probe.input_size[0], "size": probe.input_size[1:]}
    train = load_data(data, split="train", n=n_train, fit=fit, **shape)
    test = load_data(data, split="test", fit=fit, **shape)
    norm = PM1 if normalization == "pm1" else Normalization.of(train.mean, train.std)  # seed 001 uses [-1, 1]
    mean, std = norm.mean, norm.std
    x_train, x_test = norm.to_model(train.images), norm.to_model(test.images)
    if arch == "nullsight:mlp":  # seed 001's widths, sized to this data set
        arch = mlp_arch_for(tuple(train.images.shape[1:]), max(len(train.classes), int(train.labels.max()) + 1))
    model = (probe or load_model(arch, seed=config.seed)).module  # the probe is this seed's initialisation already
    path = Path(out) if out is not None else models_root() / checkpoint_name(arch, data, config.seed)
    resume = path.with_name(path.name + ".resume.pt")
    if restart:  # every process, before any reads it
        resume.unlink(missing_ok=True)
    history = train_classifier(model, x_train, train.labels, config, device=device, track=track, resume=resume)
    model.cpu()
    factor = config.rescale[0] if config.rescale else 0.2
    sets = {"train_original": (x_train, train.labels), "test_original": (x_test, test.labels)}
    if config.rescale:
        sets |= {"train_rescaled": (factor * x_train, train.labels), "test_rescaled": (factor * x_test, test.labels)}
    metrics = {name: Accuracy(**evaluate(model, x, y)) for name, (x, y) in sets.items()}
    metadata = {ARCH_METADATA_KEY: arch, "nullsight.data": data, "nullsight.mean": ",".join(map(str, mean)),
                "nullsight.std": ",".join(map(str, std)), "nullsight.seed": str(config.seed),
                "nullsight.rescale": ",".join(map(str, config.rescale)), "nullsight.fit": fit}
    if distributed.is_main_process():
        save_state_dict(model, path, metadata)
    return TrainRun(arch=arch, data=data, checkpoint=str(path), normalization=InputNormalization(list(mean), list(std)),
                    config=config, rescale_factor_evaluated=factor, metrics=metrics, history=TrainHistory.of(history),
                    paper=reference_for(arch, data), fit=fit)

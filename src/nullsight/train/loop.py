"""The training loop: cross-entropy, Adam, seeded shuffling, optional rescaled copies (seed 001, Sec. 4.1).

Seed 001 trains its (784, 32, 16, 10) ReLU MLP on the original images *and*
copies rescaled by ``alpha = 0.2`` (in the [-1, 1] input space), so that the
network classifies ``0.2 * H`` correctly: the headroom steganography needs.
Under ``torchrun`` the same loop runs with DistributedDataParallel.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import torch
from torch import nn
from torch.utils.data import DistributedSampler

from ..errors import InvalidInputError, one_line
from ..inference import predict
from ..io import atomic_path
from ..progress import Tracker
from ..results import NOT_SERIALISED, to_jsonable
from . import distributed
from .augment import augment_named

SMALL_MODEL_PARAMS = 1_000_000
SCHEDULES = ("cosine", "onecycle", "constant")


@dataclass
class TrainConfig:
    """Hyper-parameters; ``rescale`` lists the factors of the extra copies (seed 001 uses ``[0.2]``).

    ``optimizer``: ``adam`` or ``sgd`` (momentum 0.9, Nesterov: the CIFAR ResNet recipe); ``augment``: a name in
    :data:`~nullsight.train.augment.AUGMENTS`, applied to every training batch.
    """

    epochs: int = 10
    batch_size: int = 128
    lr: float = 1e-3
    weight_decay: float = 0.0
    schedule: str = "cosine"
    rescale: Sequence[float] = field(default_factory=list)
    seed: int = 0
    optimizer: str = "adam"
    augment: str = "none"
    label_smoothing: float = 0.0

    def __post_init__(self) -> None:
        if self.optimizer not in ("adam", "sgd"):
            raise InvalidInputError(f"optimizer must be adam or sgd, got {self.optimizer!r}")
        if self.schedule not in SCHEDULES:
            raise InvalidInputError(f"schedule must be one of {', '.join(SCHEDULES)}, got {self.schedule!r}")
        if not 0.0 <= self.label_smoothing < 1.0:
            raise InvalidInputError(f"label smoothing must lie in [0, 1), got {self.label_smoothing}")
        augment_named(self.augment)  # unknown names fail here, with suggestions

    def to_dict(self) -> dict[str, object]:
        out = asdict(self)
        out["rescale"] = list(self.rescale)
        return out


@dataclass
class TrainResult:
    """What a run produced: per-epoch loss and training accuracy, and the data size actually seen."""

    history: list[dict[str, float]]
    n_train: int
    world_size: int
    rates: list[float] = field(default_factory=list, metadata=NOT_SERIALISED)
    """Images per second of each epoch run here (kept off the JSON: the same seed gives the same JSON)."""

    def to_dict(self) -> dict[str, object]:
        return to_jsonable(self)


def with_rescaled_copies(inputs: torch.Tensor, labels: torch.Tensor, factors: Sequence[float]) -> tuple[torch.Tensor, torch.Tensor]:
    """The original inputs followed by ``factor * inputs`` for every factor (labels repeated)."""
    if not factors:
        return inputs, labels  # no copy of the whole data set
    xs = [inputs] + [factor * inputs for factor in factors]
    return torch.cat(xs), labels.repeat(len(xs))


def train_classifier(
    model: nn.Module,
    inputs: torch.Tensor,
    labels: torch.Tensor,
    config: TrainConfig,
    device: torch.device | str = "cpu",
    track: Tracker | None = None,
    resume: Path | None = None,
) -> TrainResult:
    """Train ``model`` in place on model-space ``inputs`` (already normalised); DDP when under torchrun.

    With ``resume``, the training state (weights, optimiser, schedule, history) is saved there after every epoch
    and a run that finds the file goes on from its last epoch; the file is removed when training ends.
    """
    device = distributed.local_device(torch.device(device))
    with _threads_for(model, device):
        return _train(model, inputs, labels, config, device, track, resume)


@contextmanager
def _threads_for(model: nn.Module, device: torch.device) -> Iterator[None]:
    """Small models train on one CPU thread: intra-op threading only adds synchronisation to tiny matmuls
    (seed 001's MLP: 3 s per MNIST epoch on one thread, over a minute on two when the machine is busy)."""
    small = sum(p.numel() for p in model.parameters()) < SMALL_MODEL_PARAMS and device.type == "cpu"
    previous = torch.get_num_threads()
    if small:
        torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def _make_optimiser(params: Iterable[nn.Parameter], config: TrainConfig) -> torch.optim.Optimizer:
    if config.optimizer == "sgd":
        return torch.optim.SGD(params, lr=config.lr, momentum=0.9, nesterov=True, weight_decay=config.weight_decay)
    return torch.optim.Adam(params, lr=config.lr, weight_decay=config.weight_decay)


def _make_scheduler(optimiser: torch.optim.Optimizer, config: TrainConfig,
                    steps_per_epoch: int) -> torch.optim.lr_scheduler.LRScheduler | None:
    """Cosine annealing stepped per epoch, one-cycle (Smith 2018) stepped per batch, or a constant rate."""
    if config.schedule == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, T_max=config.epochs)
    if config.schedule == "onecycle":
        return torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=config.lr, epochs=config.epochs,
                                                   steps_per_epoch=steps_per_epoch)
    return None


GATHER_BATCHES = 64
"""Shuffled batches gathered in one indexing call: a per-step gather costs the MLP of seed 001 a third of its step
(``benchmarks/train.py``)."""


def _train(model: nn.Module, inputs: torch.Tensor, labels: torch.Tensor, config: TrainConfig, device: torch.device,
           track: Tracker | None, resume: Path | None = None) -> TrainResult:
    torch.manual_seed(config.seed)
    x, y = with_rescaled_copies(inputs, labels, config.rescale)
    # DistributedSampler shards (and pads) the indices across ranks; batches are then sliced from the tensors.
    sampler = DistributedSampler(range(len(x)), seed=config.seed, shuffle=True) if distributed.is_distributed() else None
    generator = torch.Generator().manual_seed(config.seed)
    model.to(device)
    _check_fits(model, x[:2].to(device))
    layout = torch.channels_last if x.ndim == 4 else torch.contiguous_format  # NHWC: about 1.25x for ResNet-20 on a CPU
    model.to(memory_format=layout)
    model.train()
    net: nn.Module = model
    if distributed.is_distributed():
        net = nn.parallel.DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)
    optimiser = _make_optimiser(net.parameters(), config)
    steps_per_epoch = -(-(len(sampler) if sampler is not None else len(x)) // config.batch_size)
    scheduler = _make_scheduler(optimiser, config, steps_per_epoch)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=config.label_smoothing)
    augment = augment_named(config.augment)
    history: list[dict[str, float]] = []
    start_epoch = 0
    if resume is not None and Path(resume).is_file():
        start_epoch, history = _load_state(resume, model, optimiser, scheduler, generator, config)
    show = track is not None and distributed.is_main_process()
    rate: float | None = None
    rates: list[float] = []
    for epoch in range(start_epoch, config.epochs):
        if sampler is not None:
            sampler.set_epoch(epoch)
            order = torch.tensor(list(sampler))
        else:
            order = torch.randperm(len(x), generator=generator)
        losses: list[torch.Tensor] = []  # per step, on the device: no host round trip, and no op beyond the step's
        predictions: list[torch.Tensor] = []
        sizes: list[int] = []
        batches: Iterable[int] = range(0, len(order), config.batch_size)
        if show:
            batches = track(batches, epoch_status(epoch, config.epochs, history, rate), len(batches))  # type: ignore[misc]
        began = time.perf_counter()
        chunk = (-1, x[:0], y[:0])  # (first position, images, labels): GATHER_BATCHES shuffled batches at a time
        buffer = x.new_empty((min(len(x), GATHER_BATCHES * config.batch_size), *x.shape[1:]))
        for start in batches:
            if start >= chunk[0] + len(chunk[1]) or chunk[0] < 0:  # one gather per chunk; batches are views of it
                _check_finite(losses, max(chunk[0], 0) // config.batch_size, epoch, resume)
                index = order[start : start + GATHER_BATCHES * config.batch_size]
                buffer = torch.index_select(x, 0, index, out=buffer[: len(index)])  # reused: no fresh pages per chunk
                chunk = (start, buffer, y[index].to(device))
            offset = start - chunk[0]
            xb = chunk[1][offset : offset + config.batch_size]
            yb = chunk[2][offset : offset + config.batch_size]
            xb = augment(xb, generator).to(device).contiguous(memory_format=layout)
            optimiser.zero_grad(set_to_none=True)
            logits = net(xb)
            loss = loss_fn(logits, yb)
            loss.backward()
            optimiser.step()
            if isinstance(scheduler, torch.optim.lr_scheduler.OneCycleLR):
                scheduler.step()
            losses.append(loss.detach())
            predictions.append(logits.detach())  # the argmax once per epoch
            sizes.append(len(yb))
        _check_finite(losses, max(chunk[0], 0) // config.batch_size, epoch, resume)
        seen = sum(sizes)
        total_loss = float(torch.stack(losses).double() @ torch.tensor(sizes, dtype=torch.float64, device=device))
        correct = int((torch.cat(predictions).argmax(1).cpu() == y[order]).sum())  # the batches' order
        if isinstance(scheduler, torch.optim.lr_scheduler.CosineAnnealingLR):
            scheduler.step()
        rate = seen / max(time.perf_counter() - began, 1e-9)
        history.append({"epoch": epoch + 1, "loss": total_loss / seen, "train_accuracy": correct / seen})
        rates.append(rate)
        if resume is not None and distributed.is_main_process():
            _save_state(resume, model, optimiser, scheduler, generator, epoch + 1, history, config)
    model.to(memory_format=torch.contiguous_format)
    distributed.sync_buffers(model)  # the ranks' BatchNorm statistics differ after the last step
    if resume is not None and distributed.is_main_process():
        Path(resume).unlink(missing_ok=True)
    model.eval()
    return TrainResult(history=history, n_train=len(x), world_size=distributed.world_size(), rates=rates)


def _check_finite(losses: list[torch.Tensor], first_step: int, epoch: int, resume: Path | None) -> None:
    """Refuse a diverged run: the losses of the steps since the last check (checked once per gathered chunk, so the
    loop adds no host round trip per step), the first non-finite one named by its step."""
    recent = losses[first_step:]
    if not recent:
        return
    finite = torch.isfinite(torch.stack(recent))
    if bool(finite.all()):
        return
    bad = int((~finite).nonzero()[0, 0])
    if resume is not None and distributed.is_main_process():
        Path(resume).unlink(missing_ok=True)  # resuming would diverge again
    raise InvalidInputError(f"training diverged: the loss is {float(recent[bad])} at epoch {epoch + 1}, step "
                            f"{first_step + bad + 1} (lower --lr); nothing was written")


def epoch_status(epoch: int, epochs: int, history: list[dict[str, float]], rate: float | None) -> str:
    """The progress line of an epoch: its number, and the last epoch's loss, accuracy and images per second.

    >>> epoch_status(2, 10, [{"epoch": 2, "loss": 0.1234, "train_accuracy": 0.97}], 1500.0)
    'epoch 3/10 · loss 0.123 · acc 0.970 · 1500 img/s'
    """
    text = f"epoch {epoch + 1}/{epochs}"
    if history:
        text += f" · loss {history[-1]['loss']:.3f} · acc {history[-1]['train_accuracy']:.3f}"
    if rate is not None:
        text += f" · {rate:.0f} img/s"
    return text


def _save_state(path: Path, model: nn.Module, optimiser: torch.optim.Optimizer, scheduler: object, generator: torch.Generator,
                epoch: int, history: list[dict[str, float]], config: TrainConfig) -> None:
    state = {"model": model.state_dict(), "optimiser": optimiser.state_dict(), "epoch": epoch, "history": history,
             "scheduler": scheduler.state_dict() if scheduler is not None else None,
             "generator": generator.get_state(), "config": config.to_dict()}
    with atomic_path(path, now=True) as tmp:  # must survive an interrupted run
        torch.save(state, tmp)


def _load_state(path: Path, model: nn.Module, optimiser: torch.optim.Optimizer, scheduler: object, generator: torch.Generator,
                config: TrainConfig) -> tuple[int, list[dict[str, float]]]:
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
        if not isinstance(state, dict):
            raise TypeError(f"it holds a {type(state).__name__}")
        if state.get("config") != config.to_dict():
            raise InvalidInputError(f"{path} was saved by a run with other settings; remove it or pass --restart")
        model.load_state_dict(state["model"])
        optimiser.load_state_dict(state["optimiser"])
        if scheduler is not None and state["scheduler"] is not None:
            scheduler.load_state_dict(state["scheduler"])
        generator.set_state(state["generator"])
        return int(state["epoch"]), list(state["history"])
    except InvalidInputError:
        raise
    except Exception as exc:  # noqa: BLE001  unpickling, zip, key and shape errors all mean "cannot resume from it"
        raise InvalidInputError(f"corrupt resume file {path} (not a training state nullsight can read: "
                                f"{type(exc).__name__}); remove it or pass --restart") from None


def _check_fits(model: nn.Module, x: torch.Tensor) -> None:
    """One forward pass on two examples: a model that cannot take the data says so in one line, before training."""
    model.eval()
    try:
        with torch.no_grad():
            model(x)
    except RuntimeError as exc:
        text = one_line(exc)
        raise InvalidInputError(f"the model cannot take inputs of shape {tuple(x.shape[1:])} ({text}); "
                                "pick an architecture for this data or declare the model's input_size") from None


def evaluate(model: nn.Module, inputs: torch.Tensor, labels: torch.Tensor, batch_size: int = 4096) -> dict[str, float]:
    """Accuracy, and mean softmax confidence on the correctly predicted inputs (seed 001's two figures)."""
    model.eval()
    _, pred, conf = predict(model, inputs, batch_size)
    hit = pred.cpu() == labels
    correct = int(hit.sum())
    return {"accuracy": correct / len(inputs), "mean_confidence_correct": float(conf.cpu()[hit].sum()) / max(correct, 1),
            "n": len(inputs)}

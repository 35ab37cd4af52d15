"""``nullsight sampling kernels | eval``: the kernels of downsampling and the card's perturbation suite (seed 004)."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from .app import app
from .common import (ArchOption, DeviceOption, OutOption, QuietOption, SeedOption, WeightsOption, at_least_one, emit_result,
                     number, positive, tracker)

sampling_app = typer.Typer(help="Kernels of downsampling operators and the perturbation suite (seed 004).", no_args_is_help=True)
app.add_typer(sampling_app, name="sampling")


@sampling_app.command("kernels")
def kernels_cmd(
    size: int = typer.Option(32, "--size", callback=at_least_one, help="Side of the square channel the operators act on."),
    larger: List[int] = typer.Option([224, 1024], "--larger", help="Also these sizes, matrix-free (repeatable)."),
    operator: Optional[List[str]] = typer.Option(None, "--operator", help="Only these operators (repeatable)."),
    network: str = typer.Option("nullsight:nula-w0.25", "--network", help="g in f = g o D (a model spec or checkpoint)."),
    eps: List[float] = typer.Option([0.03, 0.05], "--eps", callback=number(0.0, 1.0), help="Checkerboard amplitudes in [0, 1] (repeatable)."),
    no_dense: bool = typer.Option(False, "--no-dense", help="Skip the dense fp64 SVD reference."),
    seed: int = SeedOption,
    out: Optional[Path] = OutOption,
) -> None:
    """Rank, dim ker(D) vs n - m, kernel bases, the checkerboard response and f(x + delta) = f(x) for each operator."""
    from ..sampling.runner import kernels_run

    emit_result(kernels_run(size, tuple(larger), network, tuple(eps), seed=seed, operators=operator, dense=not no_dense), out)


@sampling_app.command("eval")
def eval_cmd(
    model: str = typer.Argument(..., help="A classifier: checkpoint, nullsight:NAME, torchvision:NAME, timm:NAME."),
    data: str = typer.Option(..., "--data", help="Data source (fashion-mnist, mnist, cifar10, an image folder, ...)."),
    n: Optional[int] = typer.Option(None, "--n", min=1, help="Evaluate the first N images (default: all)."),
    split: str = typer.Option("test", "--split"),
    perturbation: Optional[List[str]] = typer.Option(None, "--perturbation", help="Default: the card's six (repeatable; checkerboard-EPS for any eps)."),
    worst: Optional[List[str]] = typer.Option(None, "--worst", help="Operators for the worst case within ker(D) (repeatable)."),
    worst_eps: float = typer.Option(0.05, "--worst-eps", callback=positive, help="L-inf budget of the kernel worst case (pixel units, [0, 1])."),
    worst_steps: int = typer.Option(10, "--worst-steps", min=1),
    n_worst: int = typer.Option(500, "--n-worst", min=0, help="Images for the worst case (0: skip)."),
    batch_size: int = typer.Option(256, "--batch-size", min=1),
    label: str = typer.Option("", "--label", help="A name for this model in tables (e.g. base, robust)."),
    clip: bool = typer.Option(False, "--clip", help="Clamp perturbed images to [0, 1] (default: the card's unclipped x + delta)."),
    weights: str = WeightsOption,
    arch: Optional[str] = ArchOption,
    seed: int = SeedOption,
    device: str = DeviceOption,
    quiet: bool = QuietOption,
    out: Optional[Path] = OutOption,
) -> None:
    """The card's table (clean, resize x0.5 / x0.25, decimate x2, checkerboard 0.03 / 0.05) and the kernel worst case."""
    from ..device import resolve_device
    from ..sampling.perturbations import CARD_SUITE
    from ..sampling.runner import eval_run

    worst_ops = tuple(worst) if worst else ("resize-0.5", "resize-0.25", "decimate-2", "blurpool-2")
    result = eval_run(model, data, n, split, tuple(perturbation or CARD_SUITE), worst_ops if n_worst else (), worst_eps,
                      worst_steps, n_worst, batch_size, weights, arch, seed, label, resolve_device(device), tracker(quiet),
                      clip)
    emit_result(result, out)

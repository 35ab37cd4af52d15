"""``nullsight sampling kernels | eval``: the kernels of downsampling and the card's perturbation suite (seed 004)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional

import typer

from .app import app
from .common import (ArchOption, DeviceOption, ModelArgument, OutOption, QuietOption, SeedOption, WeightsOption,
                     at_least_one, check_memory, data_option, emit_result, grouped, model_argument, n_option, non_negative, number,
                     positive, tracker)

sampling_app = typer.Typer(help="Kernels of downsampling operators and the perturbation suite (seed 004).", no_args_is_help=True)
app.add_typer(sampling_app, name="sampling")


@sampling_app.command("kernels")
def kernels_cmd(
    network: str = model_argument("nullsight:nula-w0.25", "g in f = g o D (a model spec or checkpoint)."),
    size: int = typer.Option(32, "--size", callback=number(2), help="Side of the square channel the operators act on."),
    larger: List[int] = typer.Option([224, 1024], "--larger", callback=number(2), help="Also these sizes, matrix-free (repeatable)."),
    operator: Optional[List[str]] = typer.Option(None, "--operator", help="Only these operators (repeatable)."),
    eps: List[float] = typer.Option([0.03, 0.05], "--eps", callback=number(0.0, 1.0), help="Checkerboard amplitudes in [0, 1] (repeatable)."),
    no_dense: bool = typer.Option(False, "--no-dense", help="Skip the dense fp64 SVD reference."),
    seed: int = SeedOption,
    out: Optional[Path] = OutOption,
) -> None:
    """Rank, dim ker(D) vs n - m, kernel bases, the checkerboard response and f(x + delta) = f(x) for each operator."""
    from ..sampling.runner import kernels_run

    # dense: an n x n fp64 operator of n = size^2 and its SVD (about four copies); matrix-free: a few images per size
    check_memory(0 if no_dense else 4 * 8 * float(size) ** 4, f"--size {size} (the dense SVD; --no-dense skips it)")
    check_memory(64 * 8 * float(max(larger, default=0)) ** 2, f"--larger {max(larger, default=0)}")
    emit_result(kernels_run(size=size, larger=tuple(larger), network=network, eps=tuple(eps), seed=seed,
                            operators=operator, dense=not no_dense), out)


@dataclass
class WorstCase:
    """The worst perturbation within ker(D): operators, budget, steps and how many images."""

    operators: Optional[List[str]] = typer.Option(None, "--worst", help="Operators for the worst case within ker(D) (repeatable; default: resize-0.5, resize-0.25, decimate-2, blurpool-2).")
    eps: float = typer.Option(0.05, "--worst-eps", callback=number(0.0, 1.0, above=True), help="L-inf budget of the kernel worst case (pixel units, (0, 1]).")
    steps: int = typer.Option(10, "--worst-steps", callback=at_least_one, help="PGD steps of the worst case.")
    n: int = typer.Option(500, "--n-worst", callback=non_negative, help="Images for the worst case (0: skip).")


@sampling_app.command("eval")
@grouped
def eval_cmd(
    model: str = ModelArgument,
    data: str = data_option(...),
    n: Optional[int] = n_option(None, "Evaluate the first N images (default: all)."),
    split: str = typer.Option("test", "--split", help="train | test."),
    perturbation: Optional[List[str]] = typer.Option(None, "--perturbation", help="Default: the card's six and the two resizes antialiased (repeatable; checkerboard-EPS for any eps)."),
    worst: WorstCase = None,
    batch_size: int = typer.Option(256, "--batch-size", callback=at_least_one, help="Images per forward pass."),
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
    from ..sampling.perturbations import ANTIALIASED, CARD_SUITE
    from ..sampling.runner import eval_run

    worst_ops = tuple(worst.operators) if worst.operators else ("resize-0.5", "resize-0.25", "decimate-2", "blurpool-2")
    result = eval_run(model, data, n=n, split=split, perturbations=tuple(perturbation or CARD_SUITE + ANTIALIASED),
                      worst_ops=worst_ops if worst.n else (), worst_eps=worst.eps, worst_steps=worst.steps,
                      n_worst=worst.n, batch_size=batch_size, weights=weights, arch=arch, seed=seed, label=label,
                      device=resolve_device(device), track=tracker(quiet), clip=clip)
    emit_result(result, out)

"""``nullsight masks compute | correlate | class | robust``: Fourier essential and adversarial masks (seed 003)."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from ..errors import InvalidInputError
from ..io import write_json
from .app import app
from .common import (ArchOption, DeviceOption, OutOption, QuietOption, SeedOption, at_least_one, command_line, emit_json,
                     non_negative, positive, tracker)

masks_app = typer.Typer(help="Fourier essential-frequency and adversarial-frequency masks (seed 003).", no_args_is_help=True)
app.add_typer(masks_app, name="masks")

ModelOption = typer.Option(..., "--model", "-m", help="A trained classifier (checkpoint path or model spec).")
DataOption = typer.Option("fashion-mnist", "--data", help="Data source (mnist, fashion-mnist, cifar10, ...).")


def _finish(result, out: Optional[Path]) -> None:
    """The JSON to ``--out`` (replacing stdout, as every command does), else a summary without the bulky fields."""
    result.command = command_line()
    data = result.to_dict()
    if out is not None:
        write_json(out, data)
        return
    emit_json({k: v for k, v in data.items() if k not in ("examples", "masks")}, None)


def _list(text: str) -> list[str]:
    items = [t.strip() for t in text.split(",") if t.strip()]
    if not items:
        raise InvalidInputError("give at least one attack (e.g. fmn,pgd:8/255,deepfool)")
    return items


def _device(device: str) -> str:
    from ..device import resolve_device

    return str(resolve_device(device))


@masks_app.command("compute")
def compute_cmd(
    model: str = ModelOption,
    data: str = DataOption,
    n: int = typer.Option(100, "--n", min=1, help="First N test images."),
    attacks: str = typer.Option("fmn,pgd:8/255,deepfool", "--attacks", help="Comma-separated: fmn, deepfool, pgd:EPS."),
    lam: float = typer.Option(0.5, "--lambda", callback=non_negative, help="L1 weight (0.5 for 32x32 images, 0.01 for 224x224)."),
    lr: float = typer.Option(0.01, "--lr", callback=positive),
    min_steps: int = typer.Option(500, "--min-steps", callback=at_least_one),
    max_steps: int = typer.Option(1000, "--max-steps", callback=at_least_one),
    attack_steps: Optional[int] = typer.Option(None, "--attack-steps", help="Default: 50 (FMN, DeepFool), 10 (PGD)."),
    masks_dir: Path = typer.Option(..., "--masks-dir", help="Write the mask sets here (safetensors)."),
    arch: Optional[str] = ArchOption,
    seed: int = SeedOption,
    device: str = DeviceOption,
    quiet: bool = QuietOption,
    out: Optional[Path] = OutOption,
) -> None:
    """Essential masks of correctly classified images and adversarial masks for each attack."""
    from ..masks.optimise import MaskConfig
    from ..masks.runner import compute_run

    config = MaskConfig(lam=lam, lr=lr, min_steps=min_steps, max_steps=max_steps)
    _finish(compute_run(model, data, n, _list(attacks), config, masks_dir, attack_steps, arch, seed, _device(device),
                        tracker(quiet)), out)


@masks_app.command("correlate")
def correlate_cmd(
    files: List[Path] = typer.Argument(..., help="One essential mask file and adversarial mask files."),
    permutations: int = typer.Option(100, "--permutations", min=0, help="Permutations of the IdCor test."),
    ks: str = typer.Option("1,2,3,4,5,6,7,8,9,10", "--ks", help="Fig. 4: class-subset sizes ('' to skip)."),
    draws: int = typer.Option(5, "--draws", min=1, help="Random class subsets per k."),
    seed: int = SeedOption,
    out: Optional[Path] = OutOption,
) -> None:
    """SVCCA, cosine similarity and IdCor between essential and adversarial masks (Tables 1, 3; Fig. 4)."""
    from ..masks.runner import correlate_run

    try:
        k_list = [int(k) for k in ks.split(",") if k.strip()]
    except ValueError:
        raise InvalidInputError(f"--ks takes comma-separated integers, got {ks!r}") from None
    _finish(correlate_run(files, permutations, k_list, draws, seed), out)


@masks_app.command("class")
def class_cmd(
    model: str = ModelOption,
    data: str = DataOption,
    train_per_class: int = typer.Option(100, "--train-per-class", min=1),
    test_n: int = typer.Option(1000, "--test-n", min=1),
    lam: float = typer.Option(0.01, "--lambda", callback=non_negative),
    steps: int = typer.Option(500, "--steps", min=1),
    per_step: int = typer.Option(8, "--per-step", min=1, help="Images of each class per step."),
    masks_out: Optional[Path] = typer.Option(None, "--masks-out", help="Save the class masks (safetensors)."),
    arch: Optional[str] = ArchOption,
    seed: int = SeedOption,
    device: str = DeviceOption,
    quiet: bool = QuietOption,
    out: Optional[Path] = OutOption,
) -> None:
    """Class-level essential masks, checked on unseen test images (Sec. 4.7)."""
    from ..masks.defence_runner import class_run

    _finish(class_run(model, data, train_per_class, test_n, lam, steps, per_step, arch, seed, _device(device),
                      masks_out, tracker(quiet)), out)


@masks_app.command("robust")
def robust_cmd(
    model: str = ModelOption,
    data: str = DataOption,
    attacks: str = typer.Option("fmn,pgd:8/255,deepfool", "--attacks"),
    adaptive: str = typer.Option("pgd:8/255", "--adaptive", help="Attacks run through the mask pipeline ('' to skip)."),
    train_per_class: int = typer.Option(50, "--train-per-class", min=1),
    test_n: int = typer.Option(500, "--test-n", min=1),
    lam: float = typer.Option(0.001, "--lambda", callback=non_negative),
    steps: int = typer.Option(500, "--steps", min=1),
    per_step: int = typer.Option(8, "--per-step", min=1),
    attack_steps: Optional[int] = typer.Option(None, "--attack-steps"),
    arch: Optional[str] = ArchOption,
    seed: int = SeedOption,
    device: str = DeviceOption,
    quiet: bool = QuietOption,
    out: Optional[Path] = OutOption,
) -> None:
    """Robust essential masks (Table 4) and the adaptive attacker through the mask pipeline."""
    from ..masks.defence_runner import robust_run

    adaptive_list = [a.strip() for a in adaptive.split(",") if a.strip()]
    _finish(robust_run(model, data, _list(attacks), train_per_class, test_n, lam, steps, per_step, attack_steps,
                       adaptive_list, arch, seed, _device(device), tracker(quiet)), out)

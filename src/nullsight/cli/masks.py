"""``nullsight masks compute | correlate | class | robust``: Fourier essential and adversarial masks (seed 003)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional

import typer

from ..errors import InvalidInputError
from ..io import write_json
from .app import app
from .common import (ArchOption, DeviceOption, ModelArgument, OutOption, QuietOption, SeedOption, WeightsOption,
                     at_least_one, attacks_option, data_option, emit_json, grouped, n_option, non_negative,
                     output_dir, output_file, stamped, tracker)

masks_app = typer.Typer(help="Fourier essential-frequency and adversarial-frequency masks (seed 003).", no_args_is_help=True)
app.add_typer(masks_app, name="masks")

DataOption = data_option("fashion-mnist")
AttacksOption = attacks_option("fmn,pgd:8/255,deepfool")
AttackStepsOption = typer.Option(None, "--attack-steps", callback=at_least_one, help="Default: 50 (FMN, DeepFool), 10 (PGD).")
LambdaOption = typer.Option(0.5, "--lambda", callback=non_negative, help="L1 weight (0.5 for 32x32 images, 0.01 for 224x224).")


def _finish(result, out: Optional[Path]) -> None:
    """The JSON to ``--out`` (replacing stdout, as every command does), else a summary without the bulky fields."""
    from ..artifacts import save_artifacts

    stamped(result)
    save_artifacts(result, out)  # the example images and masks beside the JSON (dropped on stdout)
    data = result.to_dict()
    if out is not None:
        write_json(out, data)
        return
    emit_json({k: v for k, v in data.items() if k not in ("examples", "masks")}, None)


def _device(device: str) -> str:
    from ..device import resolve_device

    return str(resolve_device(device))


@dataclass
class Schedule:
    """How long each mask and each attack runs, and the images per resumable chunk."""

    min_steps: int = typer.Option(500, "--min-steps", callback=at_least_one, help="Optimisation steps at least.")
    max_steps: int = typer.Option(1000, "--max-steps", callback=at_least_one, help="Optimisation steps at most.")
    attack_steps: Optional[int] = AttackStepsOption
    chunk: int = typer.Option(128, "--chunk", callback=at_least_one,
                              help="Images per chunk: the unit of work kept for a rerun (the attacks are seeded per "
                                   "chunk, so the masks depend on it).")


@masks_app.command("compute")
@grouped
def compute_cmd(
    model: str = ModelArgument,
    data: str = DataOption,
    n: int = n_option(100, "First N test images."),
    attacks: str = AttacksOption,
    lam: float = LambdaOption,
    schedule: Schedule = None,
    masks_dir: Path = typer.Option(..., "--masks-dir", callback=output_dir, help="Write the mask sets here (safetensors)."),
    resume_dir: Optional[Path] = typer.Option(
        None, "--resume-dir", callback=output_dir, help="Keep the finished chunks here, and keep them after the run (default: "
                                   "MASKS_DIR/.masks-resume, deleted once the run completes)."),
    weights: str = WeightsOption,
    arch: Optional[str] = ArchOption,
    seed: int = SeedOption,
    device: str = DeviceOption,
    quiet: bool = QuietOption,
    out: Optional[Path] = OutOption,
) -> None:
    """Essential masks of correctly classified images and adversarial masks for each attack.

    Resumable: each set is computed --chunk images at a time, and every finished chunk is kept, one compressed file
    each, in MASKS_DIR/.masks-resume under a hash of all that decides the masks (model weights, images, attacks,
    lambda, steps, chunk, seed, device, torch and foolbox versions).  After Ctrl-C, SIGTERM or a lost session, the
    same command skips the chunks it finds and ends with the files an uninterrupted run writes; other settings never
    reuse them.  The default store is deleted once the mask files and the JSON are written; a --resume-dir is kept,
    so it can be committed and a run on another machine resumes from (or, complete, rebuilds the masks from) it."""
    from ..io import after_commit
    from ..masks.optimise import MaskConfig
    from ..masks.runner import compute_run
    from ..masks.store import FILE_NAME, ChunkStore

    if schedule.min_steps > schedule.max_steps:
        raise InvalidInputError(f"--min-steps {schedule.min_steps} exceeds --max-steps {schedule.max_steps}")
    config = MaskConfig(lam=lam, min_steps=schedule.min_steps, max_steps=schedule.max_steps)  # Adam lr 0.01 (App. A.3)
    store = ChunkStore(resume_dir or masks_dir / FILE_NAME)
    try:
        result = compute_run(model, data, n, attacks, config, masks_dir, schedule.attack_steps, arch, seed,
                             _device(device), tracker(quiet), weights=weights, chunk=schedule.chunk, store=store)
    finally:
        store.close()
    _finish(result, out)
    if resume_dir is None:
        after_commit(store.remove)  # once the mask files and the JSON are in place


@masks_app.command("correlate")
def correlate_cmd(
    files: List[Path] = typer.Argument(..., help="One essential mask file and adversarial mask files, or the "
                                       "--masks-dir of `masks compute` (its essential.safetensors and the rest)."),
    permutations: int = typer.Option(100, "--permutations", callback=non_negative, help="Permutations of the IdCor test."),
    ks: str = typer.Option("1,2,3,4,5,6,7,8,9,10", "--ks", help="Fig. 4: class-subset sizes ('' to skip)."),
    draws: int = typer.Option(5, "--draws", callback=at_least_one, help="Random class subsets per k."),
    kclass_permutations: Optional[int] = typer.Option(None, "--kclass-permutations", callback=non_negative,
                                                      help="Permutations of each Fig. 4 subset (default: --permutations)."),
    pool: Optional[int] = typer.Option(None, "--pool", callback=at_least_one,
                                       help="Average-pool masks to POOL x POOL first (Imagenette: 32, Sec. 4.5.2)."),
    seed: int = SeedOption,
    out: Optional[Path] = OutOption,
) -> None:
    """SVCCA, cosine similarity and IdCor between essential and adversarial masks (Tables 1, 3; Fig. 4)."""
    from ..masks.runner import correlate_run

    try:
        k_list = [int(k) for k in ks.split(",") if k.strip()]
    except ValueError:
        raise InvalidInputError(f"--ks takes comma-separated integers, got {ks!r}") from None
    if any(k < 1 for k in k_list):
        raise InvalidInputError(f"--ks takes class-subset sizes of at least 1, got {ks!r}")
    _finish(correlate_run(_mask_files(files), permutations, k_list, draws, seed, pool, kclass_permutations), out)


def _mask_files(paths: List[Path]) -> List[Path]:
    """The files as given, or, for one folder, its ``essential.safetensors`` then its other mask files, sorted."""
    if len(paths) != 1 or not paths[0].is_dir():
        return paths
    essential = paths[0] / "essential.safetensors"
    if not essential.is_file():
        raise InvalidInputError(f"{paths[0]} holds no essential.safetensors: give the --masks-dir of `masks compute`")
    return [essential, *sorted(p for p in paths[0].glob("*.safetensors") if p != essential)]


@masks_app.command("class")
def class_cmd(
    model: str = ModelArgument,
    data: str = DataOption,
    train_per_class: int = typer.Option(100, "--train-per-class", callback=at_least_one, help="Training images of each class."),
    test_n: int = typer.Option(1000, "--test-n", callback=at_least_one, help="Unseen test images the masks are checked on."),
    lam: float = typer.Option(0.01, "--lambda", callback=non_negative, help="L1 weight."),
    steps: int = typer.Option(500, "--steps", callback=at_least_one, help="Optimisation steps."),
    per_step: int = typer.Option(8, "--per-step", callback=at_least_one, help="Images of each class per step."),
    masks_out: Optional[Path] = typer.Option(None, "--masks-out", callback=output_file, help="Save the class masks (safetensors)."),
    arch: Optional[str] = ArchOption,
    seed: int = SeedOption,
    device: str = DeviceOption,
    quiet: bool = QuietOption,
    out: Optional[Path] = OutOption,
) -> None:
    """Class-level essential masks, checked on unseen test images (Sec. 4.7)."""
    from ..masks.defence_runner import class_run

    _finish(class_run(model, data, train_per_class=train_per_class, test_n=test_n, lam=lam, steps=steps,
                      per_step=per_step, arch=arch, seed=seed, device=_device(device), masks_out=masks_out,
                      progress=tracker(quiet)), out)


@masks_app.command("robust")
def robust_cmd(
    model: str = ModelArgument,
    data: str = DataOption,
    attacks: str = AttacksOption,
    adaptive: str = attacks_option("pgd:8/255", "--adaptive", empty_ok=True, help="Attacks run through the mask pipeline, name[:eps] ('' to skip)."),
    train_per_class: int = typer.Option(50, "--train-per-class", callback=at_least_one, help="Training images of each class."),
    test_n: int = typer.Option(500, "--test-n", callback=at_least_one, help="Test images."),
    lam: float = typer.Option(0.001, "--lambda", callback=non_negative, help="L1 weight."),
    steps: int = typer.Option(500, "--steps", callback=at_least_one, help="Optimisation steps."),
    per_step: int = typer.Option(8, "--per-step", callback=at_least_one, help="Images of each class per step."),
    attack_steps: Optional[int] = AttackStepsOption,
    arch: Optional[str] = ArchOption,
    seed: int = SeedOption,
    device: str = DeviceOption,
    quiet: bool = QuietOption,
    out: Optional[Path] = OutOption,
) -> None:
    """Robust essential masks (Table 4) and the adaptive attacker through the mask pipeline."""
    from ..masks.defence_runner import robust_run

    _finish(robust_run(model, data, attacks=attacks, train_per_class=train_per_class, test_n=test_n, lam=lam,
                       steps=steps, per_step=per_step, attack_steps=attack_steps, adaptive=adaptive, arch=arch,
                       seed=seed, device=_device(device), progress=tracker(quiet)), out)

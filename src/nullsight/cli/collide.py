"""``nullsight collide``: exact feature collisions by the Null-space search of seed 000, verified."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from ..errors import InvalidInputError
from ..versions import versions
from ..io import check_writable, output_group, write_bytes, write_json, write_png
from .app import app
from .common import (parse_size, ArchOption, DeviceOption, OutOption, QuietOption, SeedOption, WeightsOption, at_least_one,
                     command_line, emit_json, float_list, non_negative, note, stdout, tracker)


class Format(str, Enum):
    table = "table"
    json = "json"


@app.command("collide")
def collide(
    model: str = typer.Argument(..., help="torchvision:NAME, timm:NAME, nullsight:NAME, a checkpoint file, pkg.module:factory."),
    image: Optional[Path] = typer.Option(None, "--image", help="One image file to collide with."),
    data: Optional[str] = typer.Option(None, "--data", help="A data source (foolbox-imagenet, mnist, ...) or folder."),
    input_file: Optional[Path] = typer.Option(None, "--input", help="A batch of inputs of the model's shape: .npy, .pt (one tensor) or .csv (a row each)."),
    input_size: Optional[str] = typer.Option(None, "--input-size", help="The model's input shape (D | C,T | C,H,W) where it does not declare one."),
    bounds: Optional[str] = typer.Option(None, "--bounds", help="LO,HI: the valid range of non-image inputs (images: [0, 1])."),
    n: int = typer.Option(1, "--n", callback=at_least_one, help="How many images of --data."),
    beta: float = typer.Option(0.05, "--beta", callback=non_negative, help="L-infinity size of P in pixel units ([0, 1] images)."),
    basis: str = typer.Option("random", "--basis", help="K (one basis vector) | random (Gaussian combination) | all."),
    per_patch: bool = typer.Option(False, "--per-patch", help="A different basis combination per patch (patchify)."),
    region: Optional[str] = typer.Option(None, "--region", help="TOP,LEFT,BOTTOM,RIGHT pixels: perturb only patches centred there."),
    patch_betas: Optional[str] = typer.Option(None, "--patch-betas", help="Per-patch multipliers beta_i (patchify): ROW;ROW of comma-separated numbers, or a .npy/.csv file of the patch grid's shape."),
    attack: Optional[str] = typer.Option(None, "--attack", help="Eq. 6: x' = ATTACK(x) first (pgd, fgsm, bim, deepfool, fmn)."),
    eps: float = typer.Option(8 / 255, "--eps", callback=non_negative, help="Eq. 6: the total L-infinity budget; the attack runs at eps - beta, the null-space step adds beta."),
    steps: int = typer.Option(10, "--steps", callback=at_least_one, help="The attack's iterations."),
    sweep: bool = typer.Option(False, "--sweep", help="Sweep beta (Fig. 3): PSNR/SSIM vs beta, outputs verified."),
    fig5: bool = typer.Option(False, "--fig5", help="Fig. 5: every null-space basis vector's difference at every layer (first input)."),
    fig5_limit: Optional[int] = typer.Option(None, "--fig5-limit", callback=at_least_one, help="With --fig5: only the first N basis vectors."),
    betas: Optional[str] = typer.Option(None, "--betas", help="Comma-separated betas for --sweep."),
    interpret: bool = typer.Option(False, "--interpret", help="Saliency, Integrated Gradients and Grad-CAM of x and x_hat compared (captum)."),
    box: bool = typer.Option(False, "--box", help="Box-constrained P: stay in [0, 1] (Dykstra projection)."),
    resize: bool = typer.Option(False, "--resize", help="Resize / convert images to the model's input size."),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table | json."),
    results_dir: Path = typer.Option(Path("results/collisions"), "--results-dir", help="Where --sweep and --save-images write."),
    save_images: bool = typer.Option(False, "--save-images", help="Write original / perturbation / collided PNGs."),
    weights: str = WeightsOption,
    arch: Optional[str] = ArchOption,
    out: Optional[Path] = OutOption,
    seed: int = SeedOption,
    device: str = DeviceOption,
    quiet: bool = QuietOption,
) -> None:
    """Inputs whose features collide exactly with given ones: x_hat = x + P, P in the first operator's null space."""
    from ..collisions import runner
    from ..device import resolve_device

    if betas is not None and not sweep:
        raise InvalidInputError("--betas is for --sweep; pass --sweep too, or --beta for one value")
    if sweep or save_images:
        check_writable(results_dir, directory=True)
    dev = resolve_device(device)
    region_box = _region(region)
    basis_value: str | int = int(basis) if basis.lstrip("-").isdigit() else basis
    multipliers = None if patch_betas is None else _patch_betas(patch_betas)  # a typo fails before any loading
    loaded, batch = runner.load_inputs(model, weights, arch, seed, str(dev), image, data, n, resize, input_file,
                                       parse_size(input_size))
    _check_region(region_box, loaded.input_size)
    if (data is not None or input_file is not None) and len(batch.values) < n:
        note(f"{data or input_file} holds {len(batch.values)} input(s); using {len(batch.values)}, not --n {n}")
    options = dict(beta=beta, basis=basis_value, per_patch=per_patch, region=region_box, box=box,
                   bounds=_bounds(bounds, len(loaded.input_size)))
    if multipliers is not None:
        options["patch_betas"] = multipliers
    if fig5:
        if sweep or attack or box or interpret:
            raise InvalidInputError("--fig5 runs on its own; drop --sweep / --attack / --box / --interpret")
        from ..collisions.fig5 import per_basis_vector

        search = runner.make_search(loaded, batch, seed=seed, **options)
        fig5_result = per_basis_vector(search, batch.values[:1].to(next(loaded.module.parameters()).device), beta,
                                       limit=fig5_limit, track=tracker(quiet), name=loaded.spec)
        fig5_result.data, fig5_result.seed, fig5_result.versions = batch.name, seed, versions()
        fig5_result.command = command_line()
        emit_json(fig5_result.to_dict(), out)
        return
    if sweep:
        if attack or box or interpret:
            raise InvalidInputError("--sweep runs plain collisions; drop --attack / --box / --interpret")
        values = _betas(betas)
        options.pop("beta")
        sweep_result = runner.sweep(loaded, batch, values, seed=seed, track=tracker(quiet), **options)
        sweep_result.command = command_line()
        from ..collisions.report import sweep_figure

        with output_group():  # the JSON and its figure land together
            write_json(results_dir / f"sweep-{_slug(loaded.spec)}.json", sweep_result.to_dict())
            write_bytes(results_dir / f"sweep-{_slug(loaded.spec)}.png", sweep_figure([sweep_result]).png)
            if fmt is Format.json or out is not None:
                emit_json(sweep_result.to_dict(), out)
        if fmt is not Format.json and out is None:
            _sweep_table(sweep_result)
        return
    result = runner.collide(loaded, batch, attack=attack, eps=eps, steps=steps, seed=seed, interpret=interpret, **options)
    result.command = command_line()
    with output_group():  # images, tensors and JSON land together or not at all
        if save_images and result.x_hat is not None:
            _save_images(result, results_dir / _slug(loaded.spec))
        if fmt is Format.json or out is not None:
            emit_json(result.to_dict(), out)
    if fmt is not Format.json and out is None:
        _table(result)


def _region(text: Optional[str]) -> Optional[tuple[int, int, int, int]]:
    if text is None:
        return None
    try:
        parts = tuple(int(p) for p in text.split(","))
    except ValueError:
        parts = ()
    if len(parts) != 4 or parts[0] >= parts[2] or parts[1] >= parts[3]:
        raise InvalidInputError(f"--region must be TOP,LEFT,BOTTOM,RIGHT integers with TOP<BOTTOM, LEFT<RIGHT, got {text!r}")
    return parts  # type: ignore[return-value]


def _patch_betas(text: str):
    """``--patch-betas``: ``1,0.5;0,2`` (rows of the patch grid) or a ``.npy`` / ``.csv`` file holding the grid."""
    import torch

    from ..data.arrays import load_array, load_csv

    path = Path(text)
    if path.suffix.lower() in (".npy", ".csv"):
        read = load_array if path.suffix.lower() == ".npy" else load_csv
        return torch.as_tensor(read(path), dtype=torch.float64)
    try:
        rows = [[float(v) for v in row.split(",")] for row in text.split(";")]
    except ValueError:
        raise InvalidInputError(f"--patch-betas must be numbers (ROW;ROW of comma-separated values) or a .npy/.csv "
                                f"file, got {text!r}") from None
    if len({len(r) for r in rows}) != 1:
        raise InvalidInputError(f"--patch-betas rows differ in length: {[len(r) for r in rows]}")
    return torch.tensor(rows, dtype=torch.float64)


def _bounds(text: Optional[str], rank: int) -> Optional[tuple[float, float]]:
    """``--bounds LO,HI`` for non-image inputs (images live in [0, 1])."""
    if text is None:
        return None
    if rank == 3:
        raise InvalidInputError("--bounds is for non-image inputs; images live in [0, 1]")
    try:
        low, high = (float(v) for v in text.split(","))
    except ValueError:
        raise InvalidInputError(f"--bounds must be LO,HI numbers, got {text!r}") from None
    if not (low < high) or not all(abs(v) < float("inf") for v in (low, high)):
        raise InvalidInputError(f"--bounds needs finite LO < HI, got {text!r}")
    return (low, high)


def _check_region(region: Optional[tuple[int, int, int, int]], input_size: tuple[int, ...]) -> None:
    """A ``--region`` must lie inside the model's input image."""
    if region is None:
        return
    if len(input_size) != 3:
        raise InvalidInputError(f"--region is for images; the model takes inputs of size {tuple(input_size)}")
    top, left, bottom, right = region
    h, w = input_size[1:]
    if top < 0 or left < 0 or bottom > h or right > w:
        raise InvalidInputError(f"--region {top},{left},{bottom},{right} lies outside the {h}x{w} image")


def _betas(text: Optional[str]) -> list[float]:
    from ..collisions.sweep import DEFAULT_BETAS

    if text is None:
        return list(DEFAULT_BETAS)
    return list(float_list(text, "--betas", 0.0, above=True))


def _slug(spec: str) -> str:
    """A file-name stem for a model: ``timm:deit_tiny_patch16_224`` -> ``timm-deit_tiny_patch16_224``."""
    name = Path(spec).stem if Path(spec).suffix else spec
    return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in name)


def _save_images(result, stem: Path) -> None:
    """The first image's original, perturbation (rescaled about 0.5) and collision as PNGs, and the fp64 tensors."""
    from ..models import save_state_dict

    p = result.perturbation[0]
    peak = float(p.abs().max()) or 1.0
    for key, image in (("original", result.x[0]), ("perturbation", 0.5 + 0.5 * p / peak), ("collided", result.x_hat[0])):
        write_png(f"{stem}-{key}.png", image)
    save_state_dict({"x": result.x.contiguous(), "x_hat": result.x_hat.contiguous()}, Path(f"{stem}-tensors.safetensors"), {})


def _table(result) -> None:
    from rich.table import Table

    table = Table(title=f"{result.model}: {result.method} (null dim {result.null_dim})")
    for col in ("what", "value"):
        table.add_column(col)
    keys = ("exact", "max_abs_diff", "max_rel_diff", "max_abs_diff_fp64", "max_rel_diff_fp64", "first_collision_layer",
            "beta", "psnr", "ssim", "same_top1")
    for key in keys:
        table.add_row(key, str(getattr(result, key)))
    if result.robustness is not None:
        table.add_row("beta_max_in_box", str(result.robustness.beta_max_in_box))
        table.add_row("clipped exact", str(result.robustness.clipped.exact))
        table.add_row("png8 exact", str(result.robustness.png8.exact))
    for image in result.images[:5]:
        pred = image.prediction
        shown = (f"top5 x {pred.top5_x} / x_hat {pred.top5_x_hat}" if pred.top5_x is not None
                 else f"segmentation pixel agreement {pred.pixel_agreement:.6f}")
        table.add_row(f"image {image.index}", shown)
    if result.interpretation is not None:
        for c in result.interpretation.comparisons:
            table.add_row(f"{c.method} x vs x_hat", f"rel diff {c.max_rel_diff:.1e} ({'agree' if c.agree else 'differ'}); "
                          f"control x+R {c.control_max_rel_diff:.1e}")
    stdout.print(table)
    stdout.print(result.message)


def _sweep_table(result) -> None:
    from rich.table import Table

    table = Table(title=f"beta sweep: {result.model} ({result.method}, null dim {result.null_dim})")
    for col in ("beta", "PSNR", "SSIM", "exact", "max rel diff fp64", "out of [0,1]"):
        table.add_column(col)
    for p in result.points:
        table.add_row(f"{p.beta:g}", f"{p.psnr_mean:.2f}", f"{p.ssim_mean:.4f}", f"{p.exact_fraction:.2f}",
                      f"{p.max_rel_diff_fp64:.2e}", f"{p.out_of_range_fraction:.3f}")
    stdout.print(table)
    stdout.print(result.message)

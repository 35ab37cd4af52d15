"""``nullsight collide``: exact feature collisions by the Null-space search of seed 000, verified."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from ..errors import InvalidInputError
from ..io import write_bytes, write_json
from .app import app
from .common import (ArchOption, DeviceOption, OutOption, QuietOption, SeedOption, WeightsOption, command_line,
                     emit_json, stdout, tracker)


class Format(str, Enum):
    table = "table"
    json = "json"


@app.command("collide")
def collide(
    model: str = typer.Argument(..., help="torchvision:NAME, timm:NAME, nullsight:NAME, a checkpoint file, pkg.module:factory."),
    image: Optional[Path] = typer.Option(None, "--image", help="One image file to collide with."),
    data: Optional[str] = typer.Option(None, "--data", help="A data source (foolbox-imagenet, mnist, ...) or folder."),
    n: int = typer.Option(1, "--n", help="How many images of --data."),
    beta: float = typer.Option(0.05, "--beta", help="L-infinity size of P in pixel units ([0, 1] images)."),
    basis: str = typer.Option("random", "--basis", help="K (one basis vector) | random (Gaussian combination) | all."),
    per_patch: bool = typer.Option(False, "--per-patch", help="A different basis combination per patch (patchify)."),
    region: Optional[str] = typer.Option(None, "--region", help="TOP,LEFT,BOTTOM,RIGHT pixels: perturb only patches centred there."),
    attack: Optional[str] = typer.Option(None, "--attack", help="Eq. 6: x' = ATTACK(x) first (pgd, fgsm, bim, deepfool, fmn)."),
    eps: float = typer.Option(8 / 255, "--eps", help="The attack's L-infinity budget."),
    steps: int = typer.Option(10, "--steps", help="The attack's iterations."),
    sweep: bool = typer.Option(False, "--sweep", help="Sweep beta (Fig. 3): PSNR/SSIM vs beta, outputs verified."),
    betas: Optional[str] = typer.Option(None, "--betas", help="Comma-separated betas for --sweep."),
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

    dev = resolve_device(device)
    region_box = _region(region)
    basis_value: str | int = int(basis) if basis.lstrip("-").isdigit() else basis
    loaded, batch = runner.load_inputs(model, weights, arch, seed, str(dev), image, data, n, resize)
    options = dict(beta=beta, basis=basis_value, per_patch=per_patch, region=region_box, box=box)
    if sweep:
        if attack or box:
            raise InvalidInputError("--sweep runs plain collisions; drop --attack / --box")
        values = _betas(betas)
        options.pop("beta")
        result = runner.sweep(loaded, batch, values, seed=seed, track=tracker(quiet), **options)
        result["command"] = command_line()
        path = results_dir / f"sweep-{_slug(loaded.spec)}.json"
        write_json(path, result)
        from ..collisions.report import sweep_sections

        write_bytes(results_dir / f"sweep-{_slug(loaded.spec)}.png", sweep_sections([result])[0].figures[0].png)
        if fmt is Format.json or out is not None:
            emit_json(result, out)
        else:
            _sweep_table(result)
        return
    result, raw = runner.collide(loaded, batch, attack=attack, eps=eps, steps=steps, seed=seed, **options)
    result["command"] = command_line()
    if save_images and raw.x_hat is not None:
        _save_images(raw, results_dir / _slug(loaded.spec))
    if fmt is Format.json or out is not None:
        emit_json(result, out)
    else:
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


def _betas(text: Optional[str]) -> list[float]:
    from ..collisions.sweep import DEFAULT_BETAS

    if text is None:
        return list(DEFAULT_BETAS)
    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise InvalidInputError(f"--betas must be comma-separated numbers, got {text!r}") from None
    if not values or any(v <= 0 for v in values):
        raise InvalidInputError(f"--betas must be positive, got {text!r}")
    return values


def _slug(spec: str) -> str:
    """A file-name stem for a model: ``timm:deit_tiny_patch16_224`` -> ``timm-deit_tiny_patch16_224``."""
    name = Path(spec).stem if Path(spec).suffix else spec
    return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in name)


def _save_images(raw, stem: Path) -> None:
    import base64

    from ..collisions.report import previews
    from ..models import save_state_dict

    for key, b64 in previews(raw.x, raw.perturbation, raw.x_hat).items():
        write_bytes(f"{stem}-{key}.png", base64.b64decode(b64))
    save_state_dict({"x": raw.x.contiguous(), "x_hat": raw.x_hat.contiguous()}, Path(f"{stem}-tensors.safetensors"), {})


def _table(result: dict) -> None:
    from rich.table import Table

    table = Table(title=f"{result['model']}: {result['method']} (null dim {result['null_dim']})")
    for col in ("what", "value"):
        table.add_column(col)
    keys = ("exact", "max_abs_diff", "max_rel_diff", "max_abs_diff_fp64", "max_rel_diff_fp64", "first_collision_layer",
            "beta", "beta_max_in_box", "psnr", "ssim", "same_top1")
    for key in keys:
        table.add_row(key, str(result.get(key)))
    if result.get("box"):
        table.add_row("clipped exact", str(result["box"]["clipped"]["exact"]))
        table.add_row("png8 exact", str(result["box"]["png8"]["exact"]))
    for image in result.get("images", [])[:5]:
        pred = image["prediction"]
        shown = (f"top5 x {pred['top5_x']} / x_hat {pred['top5_x_hat']}" if "top5_x" in pred
                 else f"segmentation pixel agreement {pred['pixel_agreement']:.6f}")
        table.add_row(f"image {image['index']}", shown)
    stdout.print(table)
    stdout.print(result["message"])


def _sweep_table(result: dict) -> None:
    from rich.table import Table

    table = Table(title=f"beta sweep: {result['model']} ({result['method']}, null dim {result['null_dim']})")
    for col in ("beta", "PSNR", "SSIM", "exact", "max rel diff fp64", "out of [0,1]"):
        table.add_column(col)
    for p in result["points"]:
        table.add_row(f"{p['beta']:g}", f"{p['psnr_mean']:.2f}", f"{p['ssim_mean']:.4f}", f"{p['exact_fraction']:.2f}",
                      f"{p['max_rel_diff_fp64']:.2e}", f"{p['out_of_range_fraction']:.3f}")
    stdout.print(table)
    stdout.print(result["message"])

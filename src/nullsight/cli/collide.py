"""``nullsight collide``: exact feature collisions by the Null-space search of seed 000, verified."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from ..errors import InvalidInputError
from ..io import output_group, write_bytes, write_json, write_png
from .app import app
from .common import (ModelArgument, ModelChoice, OutOption, QuietOption, at_least_one, data_option, emit_json,
                     emit_result, float_list, grouped, n_option, non_negative, note, output_dir, parse_size, stamped,
                     stdout, tracker)


class Format(str, Enum):
    table = "table"
    json = "json"


@dataclass
class InputChoice:
    """What to collide with: a data source, one image file or a file of inputs (exactly one)."""

    data: Optional[str] = data_option(None, "A data source (foolbox-imagenet, mnist, ...) or an image folder.")
    image: Optional[Path] = typer.Option(None, "--image", help="One image file to collide with.")
    input_file: Optional[Path] = typer.Option(None, "--input", help="A batch of inputs, batch first: .npy, .pt (one tensor) or .csv (a row each); it fixes the sample shape where the model does not.")
    input_size: Optional[str] = typer.Option(None, "--input-size", help="The model's input shape (D | C,T | C,H,W) where neither the model nor --input fixes it.")
    n: int = n_option(1, "How many inputs of --data or --input.")
    resize: bool = typer.Option(False, "--resize", help="Resize / convert images to the model's input size.")


@dataclass
class SearchChoice:
    """How the null-space perturbation P is drawn (seed 000, Eqs. 3-5)."""

    basis: str = typer.Option("random", "--basis", help="K (one basis vector) | random (Gaussian combination) | all.")
    per_patch: bool = typer.Option(False, "--per-patch", help="A different basis combination per patch (patchify).")
    region: Optional[str] = typer.Option(None, "--region", help="TOP,LEFT,BOTTOM,RIGHT pixels: perturb only patches centred there.")
    patch_betas: Optional[str] = typer.Option(None, "--patch-betas", help="Per-patch multipliers beta_i (patchify): ROW;ROW of comma-separated numbers, or a .npy/.csv file of the patch grid's shape.")
    bounds: Optional[str] = typer.Option(None, "--bounds", help="LO,HI: the valid range of non-image inputs (images: [0, 1]).")
    box: bool = typer.Option(False, "--box", help="Box-constrained P: stay in [0, 1] (Dykstra projection).")


BetaOption = typer.Option(0.05, "--beta", callback=non_negative, help="L-infinity size of P in pixel units ([0, 1] images).")
FormatOption = typer.Option(Format.table, "--format", "-f", help="table | json.")


def _attack(param: typer.CallbackParam, value: Optional[str]):
    """``--attack NAME[:EPS]``: one attack; EPS is Eq. 6's total budget (default 8/255)."""
    if value is None:
        return None
    from ..attacks import parse_attacks

    try:
        specs = parse_attacks(value)
    except InvalidInputError as exc:
        raise typer.BadParameter(str(exc), param=param) from None
    if len(specs) != 1:
        raise typer.BadParameter(f"Eq. 6 runs one attack, got {value!r}", param=param)
    return specs[0]


@app.command("collide")
@grouped
def collide(
    model: str = ModelArgument,
    inputs: InputChoice = None,
    search: SearchChoice = None,
    beta: float = BetaOption,
    attack: Optional[str] = typer.Option(None, "--attack", callback=_attack, help="Eq. 6: x' = ATTACK(x) first, NAME[:EPS] (pgd:4/255, fgsm, bim, deepfool, fmn); EPS the total L-infinity budget (default 8/255): the attack runs at EPS - beta, the null-space step adds beta."),
    steps: int = typer.Option(10, "--steps", callback=at_least_one, help="The attack's iterations."),
    interpret: bool = typer.Option(False, "--interpret", help="Saliency, Integrated Gradients and Grad-CAM of x and x_hat compared (captum)."),
    fmt: Format = FormatOption,
    save_images: Optional[Path] = typer.Option(None, "--save-images", callback=output_dir, help="Write the first input's original / perturbation / collided PNGs and fp64 tensors into this folder."),
    run: ModelChoice = None,
    out: Optional[Path] = OutOption,
    quiet: bool = QuietOption,
) -> None:
    """Inputs whose features collide exactly with given ones: x_hat = x + P, P in the first operator's null space.

    collide-sweep sweeps beta (Fig. 3); collide-fig5 shows every basis vector at every layer (Fig. 5)."""
    from ..collisions import runner

    loaded, batch, options = _prepare(model, inputs, search, run)
    spec = attack
    eps = 8 / 255 if spec is None or spec.eps is None else spec.eps
    result = runner.collide(loaded, batch, attack=None if spec is None else spec.name, eps=eps, steps=steps,
                            seed=run.seed, interpret=interpret, beta=beta, **options)
    with output_group():  # images, tensors and JSON land together or not at all
        if save_images is not None and result.x_hat is not None:
            _save_images(result, save_images / _slug(loaded.spec))
        if fmt is Format.json or out is not None:
            emit_result(result, out)  # with its preview and maps beside it
    if fmt is not Format.json and out is None:
        _table(result)


@app.command("collide-sweep")
@grouped
def collide_sweep(
    model: str = ModelArgument,
    inputs: InputChoice = None,
    search: SearchChoice = None,
    betas: Optional[str] = typer.Option(None, "--betas", help="Comma-separated betas (default: Fig. 3's)."),
    fmt: Format = FormatOption,
    results_dir: Path = typer.Option(Path("results/collisions"), "--results-dir", callback=output_dir, help="Where the sweep's JSON and figure are written."),
    run: ModelChoice = None,
    out: Optional[Path] = OutOption,
    quiet: bool = QuietOption,
) -> None:
    """Fig. 3: PSNR / SSIM of plain collisions against beta, every output verified."""
    from ..collisions import runner
    from ..collisions.report import sweep_figure

    values = _betas(betas)  # a typo fails before any loading
    loaded, batch, options = _prepare(model, inputs, search, run, plain="the sweep")
    result = runner.sweep(loaded, batch, betas=values, seed=run.seed, track=tracker(quiet), **options)
    stamped(result)
    with output_group():  # the JSON and its figure land together
        write_json(results_dir / f"sweep-{_slug(loaded.spec)}.json", result.to_dict())
        write_bytes(results_dir / f"sweep-{_slug(loaded.spec)}.png", sweep_figure([result]).png)
        if fmt is Format.json or out is not None:
            emit_json(result.to_dict(), out)
    if fmt is not Format.json and out is None:
        _sweep_table(result)


@app.command("collide-fig5")
@grouped
def collide_fig5(
    model: str = ModelArgument,
    inputs: InputChoice = None,
    search: SearchChoice = None,
    beta: float = BetaOption,
    limit: Optional[int] = typer.Option(None, "--limit", callback=at_least_one, help="Only the first N basis vectors."),
    run: ModelChoice = None,
    out: Optional[Path] = OutOption,
    quiet: bool = QuietOption,
) -> None:
    """Fig. 5: every null-space basis vector's difference at every layer (first input)."""
    from ..collisions import runner
    from ..collisions.fig5 import per_basis_vector

    loaded, batch, options = _prepare(model, inputs, search, run, plain="Fig. 5")
    made = runner.make_search(loaded, batch, seed=run.seed, beta=beta, **options)
    result = per_basis_vector(made, batch.values[:1].to(next(loaded.module.parameters()).device), beta, limit=limit,
                              track=tracker(quiet), name=loaded.spec)
    result.data, result.seed = batch.name, run.seed
    stamped(result)
    emit_json(result.to_dict(), out)


def _prepare(model: str, inputs: InputChoice, search: SearchChoice, run: ModelChoice, plain: str | None = None):
    """Check the settings that need no model, then load the model and the inputs: ``(loaded, batch, options)``.
    ``plain`` names a mode that runs plain collisions only (no ``--box``)."""
    from ..collisions import runner
    from ..device import resolve_device

    if plain is not None and search.box:
        raise InvalidInputError(f"{plain} runs plain collisions; drop --box")
    region_box = _region(search.region)
    basis: str | int = int(search.basis) if search.basis.lstrip("-").isdigit() else search.basis
    multipliers = None if search.patch_betas is None else _patch_betas(search.patch_betas)  # a typo fails before loading
    loaded, batch = runner.load_inputs(model, weights=run.weights, arch=run.arch, seed=run.seed,
                                       device=str(resolve_device(run.device)), image=inputs.image, data=inputs.data,
                                       n=inputs.n, resize=inputs.resize, input_file=inputs.input_file,
                                       input_size=parse_size(inputs.input_size))
    _check_region(region_box, loaded.input_size)
    source = inputs.data or inputs.input_file
    if source is not None and len(batch.values) < inputs.n:
        note(f"{source} holds {len(batch.values)} input(s); using {len(batch.values)}, not --n {inputs.n}")
    options = dict(basis=basis, per_patch=search.per_patch, region=region_box,
                   bounds=_bounds(search.bounds, len(loaded.input_size)))
    if plain is None:
        options["box"] = search.box
    if multipliers is not None:
        options["patch_betas"] = multipliers
    return loaded, batch, options


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

"""``nullsight geometry analyze | detect | inverse``: the feature space of the last hidden layer (seed 002)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..errors import InvalidInputError
from .app import app
from .common import (ArchOption, DeviceOption, ModelArgument, OutOption, QuietOption, SeedOption, WeightsOption,
                     at_least_one, attacks_option, data_option, emit_result, n_option, non_negative, number, tracker)

geometry_app = typer.Typer(help="Feature-space geometry: flip points, margins, convex hulls, ambiguity (seed 002).",
                           no_args_is_help=True)
app.add_typer(geometry_app, name="geometry")

DataOption = data_option("fashion-mnist")
LayerOption = typer.Option(None, "--feature-layer", help="The nn.Linear whose input is the feature space (default: the last).")


def _load(model: str, weights: str, arch: Optional[str], seed: int, device: str, data: str,
          splits: dict[str, Optional[int]]):
    from ..device import resolve_device
    from ..models.classifier import classifier_data, load_classifier

    loaded = load_classifier(model, weights=weights, arch=arch, seed=seed, device=resolve_device(device),
                             what="feature geometry").loaded
    return loaded, {split: classifier_data(loaded, data, split=split, n=n, what="feature geometry")
                    for split, n in splits.items()}


@geometry_app.command("analyze")
def analyze_cmd(
    model: str = ModelArgument,
    data: str = DataOption,
    n_train: Optional[int] = typer.Option(None, "--n-train", callback=at_least_one, help="Training images forming the hull (default: all)."),
    n_test: int = typer.Option(2000, "--n-test", callback=at_least_one, help="Test images analysed."),
    n_pixel: int = typer.Option(200, "--n-pixel", callback=non_negative, help="Test images also projected onto the hull in pixel space (0: none)."),
    n_pixel_train: Optional[int] = typer.Option(None, "--n-pixel-train", callback=at_least_one, help="Training images of the pixel-space hull (default: --n-train)."),
    n_table: int = typer.Option(5, "--n-table", callback=non_negative, help="Images with a full margins table (Table 1)."),
    feature_layer: Optional[str] = LayerOption,
    weights: str = WeightsOption,
    arch: Optional[str] = ArchOption,
    out: Optional[Path] = OutOption,
    seed: int = SeedOption,
    device: str = DeviceOption,
    quiet: bool = QuietOption,
) -> None:
    """Margins to every class (Table 1), hull distances, ambiguity, union of learned regions, support labels."""
    from ..geometry.runner import analyze

    loaded, batches = _load(model, weights, arch, seed, device, data, {"train": n_train, "test": n_test})
    result = analyze(loaded, batches["train"], batches["test"], feature_layer=feature_layer, n_pixel=n_pixel,
                     n_pixel_train=n_pixel_train, n_table=n_table, seed=seed, track=tracker(quiet))
    emit_result(result, out)


@geometry_app.command("detect")
def detect_cmd(
    model: str = ModelArgument,
    data: str = DataOption,
    n: int = n_option(300, "Test images attacked."),
    n_train: Optional[int] = typer.Option(None, "--n-train", callback=non_negative, help="Training images forming the feature-space hull of App. B (default: all; 0: App. B not measured)."),
    attacks: str = attacks_option("pgd:0.1,deepfool,fmn", default_eps=0.1, help="Attacks, name[:eps] separated by commas (a bounded attack without eps: 0.1)."),
    steps: int = typer.Option(20, "--steps", callback=at_least_one, help="Attack iterations."),
    fpr: float = typer.Option(0.05, "--fpr", callback=number(0.0, 1.0, above=True, below=True), help="False-positive rate at which the detection rate is read."),
    feature_layer: Optional[str] = LayerOption,
    weights: str = WeightsOption,
    arch: Optional[str] = ArchOption,
    out: Optional[Path] = OutOption,
    seed: int = SeedOption,
    device: str = DeviceOption,
) -> None:
    """Adversarial inputs sit next to feature-space boundaries: detection by the margin d_f,min, per attack."""
    from ..geometry.runner import detect

    splits = {"test": n} if n_train == 0 else {"test": n, "train": n_train}
    loaded, batches = _load(model, weights, arch, seed, device, data, splits)
    result = detect(loaded, batches["test"], train=batches.get("train"), attacks=attacks, steps=steps,
                    feature_layer=feature_layer, fpr=fpr, seed=seed)
    emit_result(result, out)


@geometry_app.command("inverse")
def inverse_cmd(
    model: str = ModelArgument,
    data: str = DataOption,
    a: int = typer.Option(0, "--a", callback=non_negative, help="Test image x whose feature ball B(x_phi) is the target."),
    b: Optional[int] = typer.Option(None, "--b", callback=non_negative, help="Training image morphed into a (Fig. 8; with --n-train 0 a test image; default: the farthest of a's class inside B(x_phi))."),
    n: int = n_option(500, "Test images loaded (a among them)."),
    n_train: Optional[int] = typer.Option(None, "--n-train", callback=non_negative, help="Training images: b, the hull of Fig. 5c, the references of Fig. 7 (default: all; 0: none)."),
    n_radii: int = typer.Option(8, "--n-radii", callback=number(2), help="Radii of the morphing path (Fig. 8)."),
    n_references: int = typer.Option(3, "--references", callback=non_negative, help="Training images mapped onto the perimeter of B(x_phi) (Fig. 7)."),
    iterations: int = typer.Option(8, "--iterations", callback=at_least_one, help="Continuation steps from the reference's own features to each target (Levenberg-Marquardt at each)."),
    feature_layer: Optional[str] = LayerOption,
    weights: str = WeightsOption,
    arch: Optional[str] = ArchOption,
    out: Optional[Path] = OutOption,
    seed: int = SeedOption,
    device: str = DeviceOption,
) -> None:
    """Images mapping into feature-space balls and onto flip points (Eqs. 15-18), morphing (Fig. 8), paths (Fig. 9)."""
    from ..geometry.runner import inverse

    if a >= n:
        raise InvalidInputError(f"--a {a} is not among the {n} test images loaded (--n)")
    if b is not None and b >= (n if n_train == 0 else n_train or b + 1):
        raise InvalidInputError(f"--b {b} is not among the images loaded (--n-train, or --n with --n-train 0)")

    splits = {"test": n} if n_train == 0 else {"test": n, "train": n_train}
    loaded, batches = _load(model, weights, arch, seed, device, data, splits)
    result = inverse(loaded, batches["test"], a, b, train=batches.get("train"), feature_layer=feature_layer,
                     n_radii=n_radii, iterations=iterations, n_references=n_references, seed=seed)
    emit_result(result, out)

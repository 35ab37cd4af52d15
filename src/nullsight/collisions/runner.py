"""From names to verified collision results: load the model (:mod:`nullsight.models`) and images (:mod:`nullsight.data`).

Pixel space is ``[0, 1]``; the normalisation is the one a nullsight checkpoint
records, else the data source's (an image file: ImageNet statistics for RGB,
0.5 / 0.5 for grey), applied inside
:class:`~nullsight.collisions.pixel.PixelSpace`.  Images of the wrong size or
channel count are refused unless ``resize`` is asked for.
"""

from __future__ import annotations

import dataclasses
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import torch

from ..artifacts import Artifact
from ..data import load_data
from ..errors import InvalidInputError
from ..models import LoadedModel, load_model
from ..models.classifier import model_normalization
from ..attacks import AttackResult, run_attack
from ..imaging import thumbnail
from .metrics import finite_mean, psnr, ssim
from .result import AttackSummary, BoxInfo, CollisionResult, ImageCheck, PixelRange, Preview, SweepResult
from .robustness import robustness
from .search import Collision, NullSpaceSearch
from .sweep import DEFAULT_BETAS, beta_sweep


@dataclass
class Inputs:
    """What to collide with: a batch in the model's input space (pixels in [0, 1] for images), and its origin.

    ``mean``/``std``: the normalisation the model applies after it (images), None for inputs given as the model
    takes them (vectors, signals, arrays from a file).
    """

    values: torch.Tensor
    name: str
    mean: tuple[float, ...] | None
    std: tuple[float, ...] | None
    labels: list[int]


ARRAY_SUFFIXES = (".npy", ".pt", ".csv")


def load_inputs(spec: str, *, weights: str = "none", arch: str | None = None, seed: int = 0, device: str = "cpu",
                image: str | Path | None = None, data: str | None = None, n: int = 1,
                resize: bool = False, input_file: str | Path | None = None,
                input_size: tuple[int, ...] | None = None) -> tuple[LoadedModel, Inputs]:
    """The model and what to collide with: an ``image`` file, ``n`` images of ``data``, or an ``input_file``
    (``.npy``, ``.pt`` holding one tensor, or ``.csv``) of inputs of the model's shape (``input_size`` where the
    model does not declare it)."""
    if sum(x is not None for x in (image, data, input_file)) != 1:
        raise InvalidInputError("give exactly one of --image PATH, --data NAME or --input FILE")
    loaded = load_model(spec, weights=weights, arch=arch, seed=seed, device=device, input_size=input_size)
    if loaded.task not in ("classification", "segmentation", "detection"):
        raise InvalidInputError(f"{loaded.spec} is a {loaded.task} model; collide supports classification, "
                                "segmentation and detection models")
    if n < 1:
        raise InvalidInputError(f"--n must be at least 1, got {n}")
    if loaded.task == "detection":
        if input_size is not None and not resize:
            raise InvalidInputError("a detector takes images at their own size; --input-size C,H,W needs --resize")
        return _detection_inputs(loaded, image, data, n, seed, input_size)
    if input_file is not None:
        values = read_array(Path(input_file), loaded.input_size, fixed=loaded.input_size_declared)[:n]
        if tuple(values.shape[1:]) != tuple(loaded.input_size):  # the file fixed the sample shape
            loaded = dataclasses.replace(loaded, input_size=tuple(values.shape[1:]), input_size_declared=True)
            _check_takes(loaded, values, str(input_file))
        return loaded, Inputs(values, str(input_file), None, None, [-1] * len(values))
    if len(loaded.input_size) != 3:
        raise InvalidInputError(f"{loaded.spec} takes inputs of shape {tuple(loaded.input_size)}, not images: "
                                "pass them with --input FILE (.npy, .pt or .csv)")
    c, h, w = loaded.input_size
    kwargs = {"size": (h, w), "channels": c} if resize else {}
    batch = load_data(image if image is not None else data, n=None if image is not None else n, seed=seed, **kwargs)
    if batch.images.shape[1] != c and not resize:
        raise InvalidInputError(f"the images have {batch.images.shape[1]} channel(s) but {loaded.spec} takes {c} "
                                "(pass --resize to convert)")
    norm = model_normalization(loaded, batch)
    return loaded, Inputs(batch.images, batch.name, norm.mean, norm.std, batch.labels.tolist())


def _detection_inputs(loaded: LoadedModel, image: str | Path | None, data: str | None, n: int, seed: int,
                      size: tuple[int, ...] | None) -> tuple[LoadedModel, Inputs]:
    """Images for a detector, at their own size (its transform resizes them; the null space depends on the size),
    or at ``--input-size C,H,W`` with ``--resize``.  Pixels in ``[0, 1]``: the detector normalises them itself."""
    if image is None and data is None:
        raise InvalidInputError("detection models collide on images: pass --image PATH or --data NAME")
    if size is not None and len(size) != 3:
        raise InvalidInputError(f"--input-size for a detector is C,H,W, got {','.join(map(str, size))}")
    kwargs = {"size": tuple(size[1:]), "channels": size[0]} if size is not None else {}
    try:
        batch = load_data(image if image is not None else data, n=None if image is not None else n, seed=seed, **kwargs)
    except RuntimeError as exc:
        if "stack expects each tensor to be equal size" not in str(exc):
            raise
        raise InvalidInputError(f"{image or data}: the images differ in size; pass --resize --input-size C,H,W") from None
    if batch.images.shape[1] != 3:
        raise InvalidInputError(f"torchvision detectors take RGB images; these have {batch.images.shape[1]} channel(s) "
                                "(pass --resize --input-size 3,H,W to convert)")
    loaded = dataclasses.replace(loaded, input_size=tuple(batch.images.shape[1:]))
    return loaded, Inputs(batch.images, batch.name, None, None, batch.labels.tolist())


def read_array(path: Path, input_size: tuple[int, ...], fixed: bool = True) -> torch.Tensor:
    """A batch ``(B, *input_size)`` from ``.npy``, ``.pt`` (a tensor, loaded without pickled code) or ``.csv`` (one input a row).

    ``fixed=False`` (the model does not declare its input size): the file fixes the sample shape, batch first
    (a file of shape ``(4, 250)`` is four inputs of 250 values); a 1-D file is then ambiguous: ``--input-size``.
    """
    import numpy as np

    from ..data.arrays import check_array, load_array, load_csv

    suffix = path.suffix.lower()
    if suffix not in ARRAY_SUFFIXES:
        raise InvalidInputError(f"--input takes {', '.join(ARRAY_SUFFIXES)} files, got {path.name}")
    if not path.is_file():
        raise InvalidInputError(f"no such file: {path}")
    if suffix == ".npy":
        array = load_array(path)
    elif suffix == ".csv":
        array = load_csv(path)
    else:
        try:
            value = torch.load(path, map_location="cpu", weights_only=True)
        except Exception as exc:
            raise InvalidInputError(f"{path}: not a tensor file nullsight can read safely ({type(exc).__name__})") from None
        if not isinstance(value, torch.Tensor):
            raise InvalidInputError(f"{path} holds a {type(value).__name__}; --input .pt files must hold one tensor")
        array = check_array(value.detach().cpu().double().numpy(), str(path))
    values = torch.as_tensor(np.asarray(array, dtype=np.float64))
    if not fixed:
        if values.ndim < 2:
            raise InvalidInputError(f"{path} holds {tuple(values.shape)}: one input or a batch of scalars? The model "
                                    "does not declare its input size; pass --input-size, or save a batch (B, ...)")
        return values
    size = 1
    for d in input_size:
        size *= d
    if values.ndim == len(input_size):  # a single input
        values = values.unsqueeze(0)
    if values.ndim < 1 or values[0].numel() != size:
        raise InvalidInputError(f"{path} holds {tuple(values.shape)}; the model takes inputs of shape "
                                f"{tuple(input_size)} (a batch of them, first axis) — pass --input-size to name it")
    return values.reshape(len(values), *input_size)


def _check_takes(loaded: LoadedModel, values: torch.Tensor, source: str) -> None:
    """One forward pass on the first input: a file whose inputs the model cannot take is refused in one line."""
    from ..errors import one_line

    parameter = next(loaded.module.parameters(), None)
    x = values[:1].to(dtype=parameter.dtype if parameter is not None else torch.float32,
                      device=parameter.device if parameter is not None else "cpu")
    try:
        with torch.no_grad():
            loaded.module(x)
    except RuntimeError as exc:
        raise InvalidInputError(f"{loaded.spec} cannot take inputs of shape {tuple(values.shape[1:])} from {source} "
                                f"({one_line(exc, 160)})") from None


def make_search(loaded: LoadedModel, inputs: Inputs, **options) -> NullSpaceSearch:
    """The search for this model: through its first layer, or (detectors) through its input transform's resize."""
    if loaded.task == "detection":
        from .detection import ResizeNullSpaceSearch

        return ResizeNullSpaceSearch(loaded.module, tuple(inputs.values.shape[1:]), **options)
    return NullSpaceSearch(loaded.module, inputs.mean, inputs.std, loaded.input_size, task=loaded.task, **options)


def collide(loaded: LoadedModel, inputs: Inputs, *, attack: str | None = None, eps: float = 8 / 255, steps: int = 10,
            seed: int = 0, interpret: bool = False, **options) -> CollisionResult:
    """Run the search on ``inputs`` (after attack ``attack`` for Eq. 6) and record it, verified, as a :class:`CollisionResult`.

    ``interpret``: also compare saliency / Integrated Gradients / Grad-CAM of ``x`` and ``x_hat`` (captum,
    :mod:`nullsight.collisions.interpret`), Grad-CAM taken at the first operator."""
    if interpret and loaded.task != "classification":
        raise InvalidInputError("--interpret explains a class score: classification models only")
    search = make_search(loaded, inputs, seed=seed, **options)
    device = next(loaded.module.parameters()).device
    values = inputs.values.to(device)
    clean = search.check_images(values)
    adv = None
    if attack is not None:
        if search.task == "detection":
            raise InvalidInputError("--attack runs classifier attacks (Eq. 6); detection models take plain collisions")
        if not search.is_image:
            raise InvalidInputError("--attack runs image attacks (pixel box [0, 1]); the inputs here are not images")
        step = search.step_linf
        if not eps > step:
            raise InvalidInputError(f"Eq. 6 splits the budget: the attack gets eps - beta, so --eps ({eps:g}) must "
                                    f"exceed the null-space step's L-infinity ({step:g})")
        adv = run_attack(loaded.module, values, inputs.mean, inputs.std, attack, eps - step, steps, seed)
    result = record(search, search(values, None if adv is None else adv.adversarial), loaded.spec, adv, clean,
                    eps_total=eps if adv is not None else None)
    if interpret and result.x_hat is not None:
        from .interpret import interpret as attributions

        result.interpretation = attributions(loaded.module, result.x, result.x_hat, inputs.mean, inputs.std,
                                             layer=search.prepare().first.name, seed=seed)
    return dataclasses.replace(result, task=loaded.task, **_context(loaded, inputs, seed))


def record(search: NullSpaceSearch, found: Collision, name: str = "model", attack: AttackResult | None = None,
           attack_input: torch.Tensor | None = None, eps_total: float | None = None) -> CollisionResult:
    """The JSON record of one search: verification per image and layer, robustness to storage, similarity, previews.

    With Eq. 6, ``attack`` made the base images ``x'`` from the clean ``attack_input`` within ``eps_total - beta``.
    """
    prep = search.prepare()
    common = dict(model=name, task=search.task, first_layer=prep.first.info(), null_space=prep.null.info(),
                  method=prep.first.method, null_dim=prep.null.dim, beta=search.beta, basis=str(search.basis),
                  per_patch=search.per_patch, n_images=found.x.shape[0], modality=search.modality,
                  patch_betas=None if search.patch_betas is None else search.patch_betas.tolist())
    v = found.verification
    if v is None or found.x_hat is None or found.perturbation is None:
        return CollisionResult(**common, recipe=None, exact=False, message=found.message, x=found.x)
    base, x_hat = found.x, found.x_hat
    n = base.shape[0]
    summary, per_image = None, [(None, None, None, None)] * n
    if search.bounds is not None:
        summary, per_image = robustness(prep.verifier, base, x_hat, prep.direction.image,  # type: ignore[union-attr]
                                        search.bounds, search.is_image)
        if found.box is not None:
            b = found.box
            summary.constrained = BoxInfo(b.linf, b.relative_distance, b.scale, b.iterations, b.solver)
    ps, ss = (psnr(base, x_hat), ssim(base, x_hat)) if search.is_image else ([None] * n, [None] * n)
    delta = (x_hat - base).flatten(1)
    linf, l2 = delta.abs().amax(dim=1).tolist(), delta.norm(dim=1).tolist()
    images = [ImageCheck(i, v.exact[i], v.max_abs_diff[i], v.max_rel_diff[i], v.max_abs_diff_fp64[i],
                         v.max_rel_diff_fp64[i], v.same_top1[i], v.predictions[i], ps[i], ss[i], bmax, oor, clipped, png,
                         linf[i], l2[i])
              for i, (clipped, png, bmax, oor) in enumerate(per_image)]
    attack_summary = None
    if attack is not None:
        clean = attack_input if attack_input is not None else base
        total = (x_hat - clean.to(x_hat.dtype)).flatten(1).abs().amax(dim=1).tolist()
        fooled = [p.top5_x_hat[0] != label if p.top5_x_hat else False for p, label in zip(v.predictions, attack.labels)]
        budget = eps_total if eps_total is not None else attack.eps
        attack_summary = AttackSummary(
            attack.name, attack.eps, attack.steps, attack.success, attack.success_rate, attack.labels, attack.linf,
            "foolbox", finite_mean(psnr(clean, x_hat)), all(v.same_top1), eps_total=budget, linf_total=total,
            within_budget=None if budget is None else max(total) <= budget + 1e-6,
            success_rate_after=sum(fooled) / max(len(fooled), 1))
    return CollisionResult(
        **common, recipe=prep.direction.recipe, exact=all(v.exact), message=found.message,  # type: ignore[union-attr]
        max_abs_diff=max(v.max_abs_diff), max_rel_diff=max(v.max_rel_diff), max_abs_diff_fp64=max(v.max_abs_diff_fp64),
        max_rel_diff_fp64=max(v.max_rel_diff_fp64), first_collision_layer=v.first_collision_layer,
        psnr=finite_mean(ps), ssim=statistics.fmean(ss) if search.is_image else None, same_top1=all(v.same_top1),
        linf=max(linf), l2=max(l2), robustness=summary, attack=attack_summary,
        layers=v.layers, images=images,
        preview=preview(base[0], found.perturbation[0], x_hat[0]) if search.is_image else None,
        x=base, perturbation=found.perturbation, x_hat=x_hat)


def preview(x: torch.Tensor, p: torch.Tensor, x_hat: torch.Tensor) -> Preview:
    """8-bit thumbnails of one image: the original, the perturbation (rescaled about 0.5), the collision (clipped)."""
    peak = float(p.abs().max()) or 1.0
    return Preview(*(Artifact.of(thumbnail(t), "png") for t in (x, 0.5 + 0.5 * p / peak, x_hat)))


def sweep(loaded: LoadedModel, inputs: Inputs, *, betas: Sequence[float] = DEFAULT_BETAS, seed: int = 0,
          track=None, **options) -> SweepResult:
    """The beta sweep (Fig. 3) on ``inputs`` (images)."""
    search = make_search(loaded, inputs, seed=seed, **options)
    if not search.is_image:
        raise InvalidInputError("--sweep measures PSNR / SSIM against beta: images only")
    device = next(loaded.module.parameters()).device
    result = beta_sweep(search, inputs.values.to(device), betas, track=track, name=loaded.spec)
    return dataclasses.replace(result, **_context(loaded, inputs, seed))


def _context(loaded: LoadedModel, inputs: Inputs, seed: int) -> dict:
    space = None
    if inputs.mean is not None and inputs.std is not None:
        space = PixelRange([0.0, 1.0], list(inputs.mean), list(inputs.std))
    return {"weights": loaded.weights, "seed": seed, "data": inputs.name, "input_size": list(loaded.input_size),
            "pixel_space": space, "labels": list(inputs.labels)}

"""From names to steganography results (``nullsight stego ...``): models, images, pairs, JSON."""

from __future__ import annotations

from pathlib import Path

import torch

from ..artifacts import Artifact
from ..data import load_data, load_image
from ..data.arrays import load_array
from ..errors import InvalidInputError
from ..inference import predict
from ..models import LoadedModel, load_model
from ..models.classifier import load_classifier
from ..normalization import Normalization
from .evaluate import PAPER_PER_CLASS, PaperSelection, evaluate_stego, paper_selection
from .filter_intersection import conv_null_spaces
from .hide import hide
from .projector import NullSpaceProjector
from .figures import compare_seen, fig1_surface
from .result import (Fig11Examples, PaperProtocol, SeenExamples, StegoConvResult, StegoEvalResult, StegoExamples, StegoFig11Result,
                     StegoFig1Result, StegoHideResult, StegoRevealResult, StegoSeesResult)
from .sees import what_the_network_sees

N_EXAMPLES = 6


def load_stego_model(spec: str, arch: str | None = None) -> tuple[LoadedModel, Normalization, NullSpaceProjector]:
    """A classifier, its input normalisation (:func:`~nullsight.models.classifier.model_normalization`: from its
    checkpoint; seed 001's [-1, 1] otherwise) and Null(W1)."""
    loaded, norm, _ = load_classifier(spec, arch=arch, what="steganography")
    projector = NullSpaceProjector.from_model(loaded.module, loaded.example_input())
    return loaded, norm, projector


def image_ref(text: str, size: tuple[int, ...]) -> tuple[torch.Tensor, int]:
    """``mnist:123`` (test image 123 of a data source) or an image file -> pixels ``(1, C, H, W)`` and label (-1 if unknown)."""
    name, _, index = text.rpartition(":")
    if name and index.lstrip("-").isdigit() and int(index) < 0 and not Path(text).exists():
        raise InvalidInputError(f"{text}: DATA:INDEX takes a test-image index of 0 or more, got {index}")
    if name and index.isdigit() and not Path(text).exists():
        batch = load_data(name, split="test", n=int(index) + 1)
        if int(index) >= len(batch):
            raise InvalidInputError(f"{text}: {name} has only {len(batch)} test images")
        return batch.images[int(index) : int(index) + 1], int(batch.labels[int(index)])
    image = load_image(text, channels=size[0])
    if tuple(image.shape) != tuple(size):
        raise InvalidInputError(f"{text} is {tuple(image.shape)}, the model takes {tuple(size)}")
    return image.unsqueeze(0), -1


def pairs(cover_data: str, hidden_data: str, n: int | None, seed: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Covers (first ``n`` test images of ``cover_data``) and hiddens (a seeded permutation of ``hidden_data``'s)."""
    covers = load_data(cover_data, split="test", n=n)
    hiddens = load_data(hidden_data, split="test")
    order = torch.randperm(len(hiddens), generator=torch.Generator().manual_seed(seed))[: len(covers)]
    if len(order) < len(covers):
        covers = load_data(cover_data, split="test", n=len(order))
    if covers.images.shape[1:] != hiddens.images.shape[1:]:
        raise InvalidInputError(f"{cover_data} images {tuple(covers.images.shape[1:])} and {hidden_data} images "
                                f"{tuple(hiddens.images.shape[1:])} differ in size")
    return covers.images, hiddens.images[order], hiddens.labels[order]


PROTOCOLS = ("ours", "paper")


def paper_pairs(loaded: LoadedModel, norm: Normalization, *, cover_data: str, hidden_data: str, n: int | None,
                alpha1: float, per_class: int, seed: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, PaperSelection]:
    """Seed 001's protocol: hiddens are training images with ``H`` and ``alpha1 H`` classified correctly,
    ``per_class`` per class (5,000: 50,000 pairs); covers are other training images (a seeded shuffle of the
    selection when ``cover_data`` is ``hidden_data``, else a seeded draw of ``cover_data``'s training split)."""
    train = load_data(hidden_data, split="train")
    _check_fits(train.images, loaded, hidden_data)
    selection = paper_selection(loaded.module, norm, train.images, train.labels, alpha1, per_class, seed)
    g = torch.Generator().manual_seed(seed + 1)
    chosen = selection.indices[torch.randperm(len(selection.indices), generator=g)][:n]
    if len(chosen) == 0:
        raise InvalidInputError(f"no {hidden_data} training image is classified correctly at both 1x and {alpha1:g}x")
    hiddens, labels = train.images[chosen], train.labels[chosen]
    if cover_data == hidden_data:
        covers = train.images[torch.roll(chosen, 1)] if len(chosen) > 1 else hiddens
    else:
        pool = load_data(cover_data, split="train")
        _check_fits(pool.images, loaded, cover_data)
        draw = torch.randperm(len(pool), generator=g).repeat(len(chosen) // max(len(pool), 1) + 1)[: len(chosen)]
        covers = pool.images[draw]
    return covers, hiddens, labels, selection


def eval_run(spec: str, *, cover_data: str, hidden_data: str, n: int | None, alpha1: float, alpha2: float | None,
             noise: tuple[float, ...], seed: int, arch: str | None = None, protocol: str = "ours",
             per_class: int = PAPER_PER_CLASS) -> StegoEvalResult:
    """Stego images over a test set (``ours``: pairs from the unfiltered test split, success ``pred S = pred H``) or
    by seed 001's protocol (``paper``: filtered training images, success ``pred S = label of H``); both rates are
    recorded either way."""
    if protocol not in PROTOCOLS:
        raise InvalidInputError(f"--protocol must be one of {', '.join(PROTOCOLS)}, got {protocol!r}")
    loaded, norm, projector = load_stego_model(spec, arch)
    selection = None
    if protocol == "paper":
        covers, hiddens, labels, selection = paper_pairs(loaded, norm, cover_data=cover_data, hidden_data=hidden_data,
                                                         n=n, alpha1=alpha1, per_class=per_class, seed=seed)
    else:
        covers, hiddens, labels = pairs(cover_data, hidden_data, n, seed)
    _check_fits(covers, loaded, cover_data)
    evaluation = evaluate_stego(loaded.module, projector, norm, covers, hiddens, labels, alpha1, alpha2, noise, seed)
    low, high = norm.bounds
    shown = hide(norm.to_model(covers[:N_EXAMPLES]), norm.to_model(hiddens[:N_EXAMPLES]), projector, alpha1, alpha2, low, high)
    _, pred, conf = predict(loaded.module, shown.stego)
    examples = StegoExamples(
        cover=_pixels(covers[:N_EXAMPLES]), hidden=_pixels(hiddens[:N_EXAMPLES]),
        stego=_pixels(norm.to_pixels(shown.stego).clamp(0, 1)), prediction=pred.tolist(),
        confidence=[round(float(c), 4) for c in conf], hidden_label=labels[:N_EXAMPLES].tolist(),
        alpha2=[round(float(a), 4) for a in shown.alpha2], shape=list(covers.shape[1:]))
    paper = None
    if selection is not None:
        paper = PaperProtocol(per_class=per_class, candidates=selection.candidates, eligible=selection.eligible,
                              eligible_per_class=selection.eligible_per_class,
                              selected_per_class=selection.selected_per_class,
                              confidence_original=selection.confidence_original,
                              confidence_rescaled=selection.confidence_rescaled)
    return StegoEvalResult(**vars(evaluation), model=loaded.spec, cover_data=cover_data, hidden_data=hidden_data,
                           null_dim=projector.dim, null_residual=projector.residual(), seed=seed, examples=examples,
                           protocol=protocol, split="train" if paper else "test",
                           paper_success_rate=evaluation.success_vs_label, paper_protocol=paper)


def sees_run(spec: str, data: str, *, n: int, arch: str | None = None) -> StegoSeesResult:
    loaded, norm, projector = load_stego_model(spec, arch)
    batch = load_data(data, split="test", n=n)
    _check_fits(batch.images, loaded, data)
    seen = what_the_network_sees(loaded.module, projector, norm, batch.images)
    shown = min(N_EXAMPLES, len(seen.original))  # the figure's images; the statistics cover all n
    examples = SeenExamples(_pixels(seen.original[:shown]), _pixels(seen.seen[:shown]), list(batch.images.shape[1:]))
    return StegoSeesResult(model=loaded.spec, data=data, n=len(seen.original), null_dim=seen.null_dim,
                           predictions_agree=seen.predictions_agree, max_logit_diff=seen.max_logit_diff,
                           max_logit_diff_fp64=seen.max_logit_diff_fp64, examples=examples)


def fig1_run(*, seed: int = 0, extent: float = 3.0, resolution: int = 41) -> StegoFig1Result:
    """Fig. 1: the surface of a seeded (2, 1, 3, 1)-ReLU network and its spread along / across Null(W1)."""
    s = fig1_surface(seed, extent, resolution)
    _require_finite(f"Fig. 1 at --extent {extent:g}", s.values, s.spread_along_null, s.spread_along_row)
    return StegoFig1Result(seed=seed, sizes=s.sizes, w1=s.w1, null_direction=s.null_direction, extent=s.extent,
                           xs=s.xs, values=s.values, spread_along_null=s.spread_along_null,
                           spread_along_row=s.spread_along_row, lines=s.lines)


def fig11_run(specs: list[str], data: str, *, n: int, arch: str | None = None) -> StegoFig11Result:
    """Fig. 11: what each of ``specs`` (two or more trained models) sees of the same ``n`` test images of ``data``."""
    if len(specs) < 2:
        raise InvalidInputError("Fig. 11 compares networks: pass at least two --model")
    loaded = [load_stego_model(spec, arch) for spec in specs]
    batch = load_data(data, split="test", n=n)
    for model, _, _ in loaded:
        _check_fits(batch.images, model, data)
    seen = compare_seen([m.module for m, _, _ in loaded], [p for _, _, p in loaded], [nm for _, nm, _ in loaded],
                        batch.images)
    shown = min(N_EXAMPLES, len(batch.images))
    examples = Fig11Examples(_pixels(seen.original[:shown]), [_pixels(s[:shown]) for s in seen.seen],
                             list(batch.images.shape[1:]))
    rel = seen.relative_difference
    return StegoFig11Result(models=[m.spec for m, _, _ in loaded], data=data, n=len(batch.images),
                            null_dims=seen.null_dims, predictions_agree=seen.predictions_agree,
                            max_logit_diff_fp64=seen.max_logit_diff_fp64, relative_difference=rel,
                            relative_difference_mean=sum(rel) / max(len(rel), 1), examples=examples)


def _check_fits(images: torch.Tensor, loaded: LoadedModel, data: str) -> None:
    """Images of another size than the model takes are refused in one line (a 1x1 folder, say)."""
    if tuple(images.shape[1:]) != tuple(loaded.input_size):
        shape = "x".join(map(str, images.shape[1:]))
        raise InvalidInputError(f"{data} images are {shape}, {loaded.spec} takes {'x'.join(map(str, loaded.input_size))}")


def conv_run(*, size: int, kernel: int, max_filters: int, padding: str, model: str | None, seed: int) -> StegoConvResult:
    """Null dimension of the first convolution as filters are added (random kernels, or a model's first conv)."""
    if model is not None:
        loaded = load_model(model)
        convs = [m for m in loaded.module.modules() if isinstance(m, torch.nn.Conv2d)]
        if not convs:
            raise InvalidInputError(f"{model} has no Conv2d layer")
        kernels = convs[0].weight.detach()[:max_filters]
        source = f"{loaded.spec} first conv"
    else:
        kernels = torch.randn(max_filters, 1, kernel, kernel, generator=torch.Generator().manual_seed(seed))
        source = "random (seeded) kernels"
    k = kernels.shape[-1]
    pad = 0 if padding == "valid" else k // 2
    rows = conv_null_spaces(kernels, size, padding=pad, seed=seed)
    return StegoConvResult(source=source, size=size, kernel=k, padding=padding, seed=seed, rows=rows)


def hide_run(spec: str, *, cover: str, hidden: str, alpha1: float, alpha2: float | None,
             arch: str | None = None) -> StegoHideResult:
    """Hide one image in another; the result carries the stego image (pixels, and lossless model space) to save."""
    loaded, norm, projector = load_stego_model(spec, arch)
    c, _ = image_ref(cover, loaded.input_size)
    h, h_label = image_ref(hidden, loaded.input_size)
    low, high = norm.bounds
    made = hide(norm.to_model(c), norm.to_model(h), projector, alpha1, alpha2, low, high)
    _, pred_s, conf_s = predict(loaded.module, made.stego)
    _, pred_h, conf_h = predict(loaded.module, norm.to_model(h))
    _, pred_c, _ = predict(loaded.module, norm.to_model(c))
    return StegoHideResult(
        model=loaded.spec, cover=cover, hidden=hidden, alpha1=alpha1, alpha2=float(made.alpha2[0]),
        in_range=bool(made.in_range[0]), prediction=int(pred_s[0]), confidence=float(conf_s[0]),
        hidden_prediction=int(pred_h[0]), hidden_confidence=float(conf_h[0]), hidden_label=h_label,
        cover_prediction=int(pred_c[0]), agree=bool(pred_s[0] == pred_h[0]), null_dim=projector.dim,
        stego_pixels=norm.to_pixels(made.stego).clamp(0, 1)[0], stego_model_space=made.stego[0])


def reveal_run(spec: str, stego: Path, *, arch: str | None = None) -> StegoRevealResult:
    """The network's reading of a stego image (.npy lossless, or an 8-bit image), and its two components."""
    loaded, norm, projector = load_stego_model(spec, arch)
    if stego.suffix == ".npy":
        x = torch.from_numpy(load_array(stego)).float().unsqueeze(0)  # numeric, non-empty, finite
        if tuple(x.shape[1:]) != tuple(loaded.input_size):
            raise InvalidInputError(f"{stego} is {tuple(x.shape[1:])}, the model takes {tuple(loaded.input_size)}")
    else:
        x = norm.to_model(image_ref(str(stego), loaded.input_size)[0])
    logits, pred, conf = predict(loaded.module, x)
    row_logits, pred_row, _ = predict(loaded.module, projector.row_part(x))
    null_norm, row_norm = projector.null_part(x).double().norm(), projector.row_part(x).double().norm()
    _require_finite(f"{stego}: reading it", logits, row_logits, null_norm, row_norm)
    return StegoRevealResult(model=loaded.spec, stego=str(stego), prediction=int(pred[0]), confidence=float(conf[0]),
                             row_space_prediction=int(pred_row[0]), null_part_norm=float(null_norm),
                             row_part_norm=float(row_norm))


def _require_finite(what: str, *values: object) -> None:
    """Non-finite intermediate results (an overflow from finite but huge inputs) are an error, never a JSON null."""
    for value in values:
        tensor = torch.as_tensor(value, dtype=torch.float64) if not isinstance(value, torch.Tensor) else value
        if tensor.is_floating_point() and not bool(torch.isfinite(tensor).all()):
            raise InvalidInputError(f"{what} overflows: its results are not finite numbers (NaN/Inf); "
                                    "give values of the model's input range")


def _pixels(images: torch.Tensor) -> Artifact:
    """Images ``(N, C, H, W)`` for the report's figures, kept beside the JSON (fp16)."""
    return Artifact.of(images.detach().to(torch.float16))

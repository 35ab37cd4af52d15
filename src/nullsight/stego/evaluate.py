"""Steganography over a test set: success rate, confidence, look, and what breaks it (seed 001, Sec. 4).

Success (as the issue defines it): the prediction on ``S`` equals the hidden
image's prediction.  The mechanism guarantees ``f(S) = f(alpha1 * H)``; whether
that equals ``f(H)`` depends on how well the network learned rescaled inputs,
which is why seed 001 trains with rescaled copies.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import torch
from torch import nn

from ..imaging import psnr, quantize_8bit, ssim
from ..inference import predict
from ..normalization import Normalization
from .hide import hide
from .projector import NullSpaceProjector


@dataclass
class StegoEvaluation:
    """Rates over ``n`` cover/hidden pairs, and the same rates after each corruption of ``S``."""

    n: int
    alpha1: float
    alpha2_mean: float
    alpha2_min: float
    in_range_rate: float
    success_rate: float
    success_vs_label: float
    agrees_with_scaled_hidden: float
    max_logit_diff_vs_scaled_hidden: float
    mean_confidence: float
    cover_prediction_kept: float
    psnr_to_cover_mean: float
    ssim_to_cover_mean: float
    robustness: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def evaluate_stego(
    model: nn.Module,
    projector: NullSpaceProjector,
    norm: Normalization,
    covers: torch.Tensor,
    hiddens: torch.Tensor,
    hidden_labels: torch.Tensor,
    alpha1: float = 0.2,
    alpha2: float | None = None,
    noise: tuple[float, ...] = (0.01, 0.05),
    seed: int = 0,
) -> StegoEvaluation:
    """Hide every ``hiddens[i]`` in ``covers[i]`` (pixel images in [0, 1]) and measure."""
    low, high = norm.bounds
    c, h = norm.to_model(covers), norm.to_model(hiddens)
    made = hide(c, h, projector, alpha1=alpha1, alpha2=alpha2, low=low, high=high)
    logits_s, pred_s, conf_s = predict(model, made.stego)
    _, pred_h, _ = predict(model, h)
    logits_ah, pred_ah, _ = predict(model, alpha1 * h)
    _, pred_c, _ = predict(model, c)
    stego_pixels = norm.to_pixels(made.stego)
    rate = lambda hits: float(hits.double().mean())  # noqa: E731
    generator = torch.Generator().manual_seed(seed)
    corrupted = {"quantized_8bit": norm.to_model(quantize_8bit(stego_pixels)),
                 "clipped": made.stego.clamp(low, high)}
    for sigma in noise:  # Gaussian noise of std sigma in pixel units
        noisy = stego_pixels + sigma * torch.randn(stego_pixels.shape, generator=generator, dtype=stego_pixels.dtype)
        corrupted[f"noise_{sigma:g}"] = norm.to_model(noisy)
    robustness = {name: rate(predict(model, x)[1] == pred_h) for name, x in corrupted.items()}
    return StegoEvaluation(
        n=len(covers), alpha1=alpha1, alpha2_mean=float(made.alpha2.mean()), alpha2_min=float(made.alpha2.min()),
        in_range_rate=rate(made.in_range), success_rate=rate(pred_s == pred_h), success_vs_label=rate(pred_s == hidden_labels),
        agrees_with_scaled_hidden=rate(pred_s == pred_ah),
        max_logit_diff_vs_scaled_hidden=float((logits_s - logits_ah).abs().max()),
        mean_confidence=float(conf_s.mean()), cover_prediction_kept=rate(pred_s == pred_c),
        psnr_to_cover_mean=float(psnr(covers, stego_pixels.clamp(0, 1)).mean()),
        ssim_to_cover_mean=float(ssim(covers, stego_pixels.clamp(0, 1)).mean()),
        robustness=robustness,
    )


PAPER_PER_CLASS = 5000
"""Seed 001, Sec. 4: 'a total of 50000 images, with each class having 5,000 examples'."""


@dataclass
class PaperSelection:
    """Seed 001's hidden-image filter: training images ``H`` with both ``H`` and ``alpha1 H`` classified correctly.

    ``indices`` into the candidates (up to ``per_class`` per class, in a seeded order); ``eligible_per_class``: how
    many passed the filter; the mean confidences are over the eligible images (the paper: 99.98% / 99.77%).
    """

    indices: torch.Tensor
    candidates: int
    eligible: int
    eligible_per_class: list[int]
    selected_per_class: list[int]
    confidence_original: float
    confidence_rescaled: float


def paper_selection(model: nn.Module, norm: Normalization, images: torch.Tensor, labels: torch.Tensor,
                    alpha1: float = 0.2, per_class: int = PAPER_PER_CLASS, seed: int = 0) -> PaperSelection:
    """Filter ``images`` (pixels in [0, 1], training split) as seed 001 does, batched; keep ``per_class`` per class."""
    x = norm.to_model(images)
    _, pred, conf = predict(model, x)
    _, pred_a, conf_a = predict(model, alpha1 * x)
    ok = (pred == labels) & (pred_a == labels)
    order = torch.randperm(len(images), generator=torch.Generator().manual_seed(seed))
    classes = int(labels.max()) + 1 if len(labels) else 0
    chosen, eligible, selected = [], [], []
    for k in range(classes):
        members = order[(ok & (labels == k))[order]]
        eligible.append(int(len(members)))
        chosen.append(members[:per_class])
        selected.append(int(min(len(members), per_class)))
    indices = torch.cat(chosen) if chosen else torch.zeros(0, dtype=torch.long)
    mean = lambda t: float(t[ok].mean()) if bool(ok.any()) else float("nan")  # noqa: E731
    return PaperSelection(indices, len(images), int(ok.sum()), eligible, selected, mean(conf), mean(conf_a))

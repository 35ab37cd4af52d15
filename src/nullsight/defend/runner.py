"""From names to detection and purification results (``nullsight detect`` / ``nullsight purify``)."""

from __future__ import annotations

import hashlib

import numpy as np
import torch

from ..collisions.runner import Inputs, make_search
from ..imaging import quantize_8bit
from ..inference import predict
from ..models import LoadedModel, load_model
from ..normalization import Normalization
from ..stego.hide import hide
from ..stego.projector import NullSpaceProjector
from .energy import null_energy, projector_of, purify
from .result import Detection, DetectResult, PurifyResult


def roc(clean: np.ndarray, attacked: np.ndarray) -> tuple[float, float, float, str]:
    """``(ROC AUC, TPR at 1% FPR, threshold, direction)``; the direction flags the side where attacked scores lie."""
    from sklearn.metrics import roc_auc_score

    labels = np.r_[np.zeros(len(clean)), np.ones(len(attacked))]
    scores = np.r_[clean, attacked]
    auc = float(roc_auc_score(labels, scores))
    direction = "higher"
    if auc < 0.5:
        auc, scores, clean, attacked, direction = 1 - auc, -scores, -clean, -attacked, "lower"
    threshold = float(np.quantile(clean, 0.99))
    tpr = float((attacked > threshold).mean())
    return auc, tpr, threshold if direction == "higher" else -threshold, direction


def detect_run(loaded: LoadedModel, inputs: Inputs, *, beta: float = 0.1, alpha1: float = 0.2, seed: int = 0) -> DetectResult:
    """Clean inputs vs collided ones (``x + P``, ``P`` a random null-space vector of L-inf ``beta``) and, for a fully
    connected first layer, vs stego images hiding a shuffled input in each (seed 001)."""
    search = make_search(loaded, inputs, seed=seed)
    x = search.check_images(inputs.values.to(next(loaded.module.parameters()).device))
    project = projector_of(search)
    g = torch.Generator().manual_seed(seed)
    noise = project(torch.randn(x.shape, generator=g, dtype=torch.float64).to(x.device))
    collided = x + beta * noise / noise.flatten(1).abs().amax(1).clamp_min(1e-300).view(-1, *([1] * (x.ndim - 1)))
    clean_e = null_energy(search, x)
    attacked = {"collision": collided}
    skipped = []
    prep = search.prepare()
    if prep.first.method == "fc" and inputs.mean is not None:
        norm = Normalization.of(inputs.mean, inputs.std)
        proj = NullSpaceProjector.from_model(loaded.module, norm.to_model(x[:1].float()))
        order = torch.randperm(len(x), generator=g)
        low, high = norm.bounds
        made = hide(norm.to_model(x.float()), norm.to_model(x[order].float()), proj, alpha1, None, low, high)
        attacked["stego"] = norm.to_pixels(made.stego.double())
    else:
        skipped.append("stego: seed 001's construction needs a fully connected first layer and image inputs")
    detections = []
    for name, values in attacked.items():
        e = null_energy(search, values)
        auc, tpr, threshold, direction = roc(clean_e.share.cpu().numpy(), e.share.cpu().numpy())
        detections.append(Detection(name, len(x), len(values), auc, tpr, threshold, float(clean_e.share.mean()),
                                    float(e.share.mean()), direction, float(e.null_l2.mean()), float(e.null_linf.mean())))
    return DetectResult(model=loaded.spec, data=inputs.name, null_dim=prep.null.dim, method=prep.first.method,
                        detections=detections, skipped=skipped, seed=seed)


def purify_run(loaded: LoadedModel, inputs: Inputs, *, second: str | None = None, seed: int = 0) -> tuple[PurifyResult, torch.Tensor]:
    """Purified inputs (returned for saving) and their record: verified predictions, what changed for others."""
    search = make_search(loaded, inputs, seed=seed)
    x = search.check_images(inputs.values.to(next(loaded.module.parameters()).device))
    pure = purify(search, x)
    v = search.prepare().verifier.without_layers()(x, pure)
    low, high = search.bounds if search.bounds is not None else (-np.inf, np.inf)
    out = ((pure < low) | (pure > high)).flatten(1).any(1).double().mean()
    delta = (pure - x).flatten(1)
    changed = [_digest(a) != _digest(b) for a, b in zip(x, pure)] if search.is_image else [True] * len(x)
    second_changed = None
    if second is not None and inputs.mean is not None:
        other = load_model(second, seed=seed).module.to(x.device)
        norm = Normalization.of(inputs.mean, inputs.std)
        _, a, _ = predict(other, norm.to_model(x.float()))
        _, b, _ = predict(other, norm.to_model(pure.float()))
        second_changed = float((a != b).double().mean())
    prep = search.prepare()
    result = PurifyResult(
        model=loaded.spec, data=inputs.name, n=len(x), null_dim=prep.null.dim, exact=all(v.exact),
        max_rel_diff_fp64=max(v.max_rel_diff_fp64), same_top1_fraction=sum(v.same_top1) / len(x),
        removed_l2_mean=float(delta.norm(dim=1).mean()), removed_linf_mean=float(delta.abs().amax(1).mean()),
        out_of_range_fraction=float(out), hash_changed_fraction=sum(changed) / len(x), second_model=second,
        second_model_changed_fraction=second_changed, seed=seed)
    return result, pure


def _digest(image: torch.Tensor) -> str:
    """SHA-256 of the 8-bit image a downstream consumer would store."""
    return hashlib.sha256((quantize_8bit(image) * 255).round().to(torch.uint8).cpu().numpy().tobytes()).hexdigest()


"""Colliding interpretations (seed 000's interpretability remark): attribution maps of ``x`` and ``x_hat``, by captum.

For ``F(x) = f(W x)`` and ``W P = 0`` (Definition 4):

- **saliency** ``dF/dx = W^T g(W x)`` is the same at ``x`` and ``x_hat = x + P``: the maps agree to round-off;
- **Integrated Gradients** from a zero baseline is ``x ⊙ avg_a W^T g(a W x)``; the path average is shared
  (``W (a x_hat) = W (a x)``), so the maps differ by exactly ``P ⊙ avg-grad`` — an exact collision does
  *not* give equal IG maps, and ``predicted_diff_error`` measures how well ``P ⊙ avg-grad`` explains the change
  (avg-grad from captum's IG with ``multiply_by_inputs=False``);
- **Grad-CAM** on the first operator's output (or any later layer) sees identical activations and gradients.

A control ``x + R`` with a random sign perturbation ``R`` of the same L-infinity size, *not* in the null space,
shows the maps do move when the features do.  Everything runs on an fp64 copy of the model; this module never
prints or writes files.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ..artifacts import Artifact
from ..inference import fp64_copy
from .pixel import PixelSpace
from .result import Interpretation, MapComparison

METHODS = ("saliency", "integrated_gradients", "grad_cam")
AGREE_RTOL = 1e-9
"""Two maps agree when ``max |a - b| / max |a|`` is at most this (fp64, the threshold collisions are held to)."""
MAP_SIZE = 32
"""Stored maps (first image) are average-pooled to at most this many pixels a side."""


def _compare(a: torch.Tensor, b: torch.Tensor, control: torch.Tensor) -> tuple[float, float, float]:
    a, b, control = a.detach(), b.detach(), control.detach()
    scale = float(a.abs().max()) or 1.0
    diff = float((b - a).abs().max())
    return diff, diff / scale, float((control - a).abs().max()) / scale


def _small(t: torch.Tensor) -> Artifact:
    """One map ``(C, H, W)`` summed over channels, pooled to at most MAP_SIZE a side, as an artifact (fp64)."""
    t = t.detach().double()
    t = t.sum(0, keepdim=True) if t.ndim == 3 else t.reshape(1, 1, -1)
    if t.ndim == 3 and max(t.shape[-2:]) > MAP_SIZE:
        t = F.adaptive_avg_pool2d(t.unsqueeze(0), [min(MAP_SIZE, s) for s in t.shape[-2:]])[0]
    return Artifact.of(t[0].contiguous())


def interpret(model: nn.Module, x: torch.Tensor, x_hat: torch.Tensor, mean=None, std=None, layer: str | None = None,
              target: list[int] | None = None, ig_steps: int = 32, seed: int = 0) -> Interpretation:
    """Attribution maps of ``x`` and ``x_hat`` (``(B, *input_size)`` pixels) for ``model`` (normalised input).

    ``layer``: the module (dotted name in ``model``) Grad-CAM is taken at, usually the first operator; ``target``:
    the class explained per image (default: the prediction at ``x``).  Maps are taken in pixel space.
    """
    from captum.attr import IntegratedGradients, LayerGradCam, Saliency

    wrapped = PixelSpace(fp64_copy(model), mean, std).eval()
    x, x_hat = x.detach().double(), x_hat.detach().double()
    g = torch.Generator().manual_seed(seed)
    linf = (x_hat - x).flatten(1).abs().amax(1).view(-1, *[1] * (x.ndim - 1))
    control = x + linf * (torch.randint(0, 2, x.shape, generator=g, dtype=torch.float64) * 2 - 1)
    with torch.no_grad():
        logits = wrapped(x)
    if target is None:
        target = logits.argmax(1).tolist()
    tgt = torch.tensor(target)
    both = lambda fn: [fn(v) for v in (x, x_hat, control)]  # noqa: E731
    sal = both(lambda v: Saliency(wrapped).attribute(v.clone().requires_grad_(), target=tgt, abs=False))
    ig = IntegratedGradients(wrapped)
    igs = both(lambda v: ig.attribute(v, baselines=torch.zeros_like(v), target=tgt, n_steps=ig_steps))
    avg = IntegratedGradients(wrapped, multiply_by_inputs=False).attribute(
        x_hat, baselines=torch.zeros_like(x_hat), target=tgt, n_steps=ig_steps)
    notes: list[str] = []
    layer_name = layer or _first_leaf(model)
    module = dict(wrapped.model.named_modules())[layer_name]
    cams = both(lambda v: LayerGradCam(wrapped, module).attribute(v, target=tgt, relu_attributions=False))
    if cams[0].ndim < 3:
        notes.append(f"{layer_name}'s output has no spatial axes: Grad-CAM is one number per image")
    comparisons = []
    for method, (a, b, c) in zip(METHODS, (sal, igs, cams)):
        diff, rel, ctrl = _compare(a, b, c)
        predicted = None
        if method == "integrated_gradients":  # IG(x_hat) - IG(x) = P ⊙ avg-grad, the average shared by x and x_hat
            predicted = float(((b - a) - (x_hat - x) * avg).detach().abs().max()) / (float(a.detach().abs().max()) or 1.0)
            if predicted > AGREE_RTOL:
                notes.append(f"IG's change is not P ⊙ avg-grad to round-off ({predicted:.1e}): the path gradients of "
                             "a·x and a·x_hat differ somewhere, a non-differentiable tie (max-pool, ReLU at 0) "
                             "resolved differently by round-off-level feature differences")
        comparisons.append(MapComparison(method, diff, rel, rel <= AGREE_RTOL, ctrl, ctrl <= AGREE_RTOL, predicted))
    maps = {"saliency_x": _small(sal[0][0]), "saliency_x_hat": _small(sal[1][0]),
            "ig_x": _small(igs[0][0]), "ig_x_hat": _small(igs[1][0]),
            "grad_cam_x": _small(cams[0][0]), "grad_cam_x_hat": _small(cams[1][0])}
    return Interpretation(list(target), layer_name, ig_steps, "zeros (pixel space)", comparisons, maps,
                                notes=notes)


def _first_leaf(model: nn.Module) -> str:
    return next(name for name, m in model.named_modules() if name and not list(m.children()))

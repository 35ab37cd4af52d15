"""Prove a collision with forward passes (seed 000, Definition 1, Fig. 5).

``x`` and ``x_hat`` go through the model in one batch ``[x; x_hat]`` (eval
mode: samples are independent), in fp32 and in an fp64 copy; a forward hook on
every leaf module records, per image, ``max |f_k(x_hat) - f_k(x)|`` and
``max |f_k(x)|`` without storing any feature map.  Relative difference is
``max|diff| / max|f_k(x)|``.  A collision is **exact** only when the output's
fp64 relative difference is ``<= EXACT_RTOL = 1e-9`` (the paper's Fig. 5 shows
~1e-14); the *layer of first collision* is where the final run of colliding
layers (fp64, same threshold) begins, in execution order.
"""

from __future__ import annotations

import copy
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

import torch
from torch import nn

from ..inference import fp64_copy
from .result import EXACT_RTOL, LayerDiff, Prediction



@dataclass
class Verification:
    """Output differences per image, predictions, and the per-layer record."""

    max_abs_diff: list[float]
    max_rel_diff: list[float]
    max_abs_diff_fp64: list[float]
    max_rel_diff_fp64: list[float]
    same_top1: list[bool]
    predictions: list[Prediction]
    layers: list[LayerDiff] = field(default_factory=list)

    @property
    def exact(self) -> list[bool]:
        return [r <= EXACT_RTOL for r in self.max_rel_diff_fp64]

    @property
    def first_collision_layer(self) -> str | None:
        """Start of the last run of layers that collide in fp64 (None if the output does not)."""
        first = None
        for layer in reversed(self.layers):
            if not layer.collides:
                break
            first = layer.name
        return first if all(self.exact) else None


class Verifier:
    """Forward ``[x; x_hat]`` through ``model`` in fp32 and an fp64 copy, with or without per-layer hooks.

    ``task``: ``"classification"`` (top-5 of the logits), ``"segmentation"``
    (``output["out"]`` arg-maxed per pixel) or ``"detection"`` (``(B, K, 6)`` rows
    ``x1, y1, x2, y2, score, label``, :class:`~nullsight.collisions.detection.DetectionOutputs`).
    """

    def __init__(self, model: nn.Module, task: str = "classification", layers: bool = True) -> None:
        self.model32 = model
        self.model64 = fp64_copy(model)
        self.task = task
        self.layers = layers

    def without_layers(self) -> "Verifier":
        """The same verifier (sharing its fp64 copy) that records the output only, not every layer."""
        fast = copy.copy(self)
        fast.layers = False
        return fast

    def __repr__(self) -> str:
        return f"Verifier(task={self.task!r}, layers={self.layers})"

    def __call__(self, x: torch.Tensor, x_hat: torch.Tensor) -> Verification:
        out32, l32 = _compare(self.model32, x.to(torch.float32), x_hat.to(torch.float32), self.layers)
        out64, l64 = _compare(self.model64, x.to(torch.float64), x_hat.to(torch.float64), self.layers)
        layers = [LayerDiff(a[0], a[1], float(a[2].max()), float(a[3].max()), float(b[2].max()), float(b[3].max()))
                  for a, b in zip(l32, l64)]
        # detections are compared in fp64: fp32 rounding can swap near-tied scores or cross a threshold
        same, preds = _predictions(out64 if self.task == "detection" else out32, self.task)
        return Verification(out32[0].tolist(), out32[1].tolist(), out64[0].tolist(), out64[1].tolist(), same, preds,
                            layers)

    def layer_table(self, x: torch.Tensor, x_hat: torch.Tensor) -> tuple[list[str], torch.Tensor, torch.Tensor]:
        """Per layer and per item: ``max |f_k(x_hat) - f_k(x)|`` in fp32 and fp64, each ``(layers, B)``, and the
        layer names (execution order, the output last)."""
        out32, l32 = _compare(self.model32, x.to(torch.float32), x_hat.to(torch.float32), True)
        out64, l64 = _compare(self.model64, x.to(torch.float64), x_hat.to(torch.float64), True)
        names = [a[0] for a in l32] + ["output"]
        abs32 = torch.stack([a[2] for a in l32] + [out32[0]])
        abs64 = torch.stack([b[2] for b in l64] + [out64[0]])
        return names, abs32, abs64


def layer_table_against(model32: nn.Module, model64: nn.Module, x: torch.Tensor, x_hats: torch.Tensor
                        ) -> tuple[list[str], torch.Tensor, torch.Tensor]:
    """Like :meth:`Verifier.layer_table` for many ``x_hats`` ``(K, ...)`` of one ``x`` ``(1, ...)``: ``x`` goes through
    once and its layer outputs are kept, so each ``x_hat`` costs one forward pass, not two (Fig. 5)."""
    names, a32 = _against(model32, x.to(torch.float32), x_hats.to(torch.float32))
    _, a64 = _against(model64, x.to(torch.float64), x_hats.to(torch.float64))
    return names, a32, a64


def _against(model: nn.Module, x: torch.Tensor, x_hats: torch.Tensor) -> tuple[list[str], torch.Tensor]:
    reference: dict[str, list[torch.Tensor]] = {}
    rows: dict[str, torch.Tensor] = {}

    def keep(label: str, _module: nn.Module, parts: list[torch.Tensor]) -> None:
        reference[label] = [t.detach().clone() for t in parts]

    def compare(label: str, _module: nn.Module, parts: list[torch.Tensor]) -> None:
        diffs = [(t.detach() - r).abs().flatten(1).amax(dim=1) for t, r in zip(parts, reference.get(label, []))
                 if t.is_floating_point() and t.shape[1:] == r.shape[1:]]
        if diffs:
            rows[label] = torch.stack(diffs).amax(dim=0).cpu().double()

    with torch.no_grad():
        with _leaf_outputs(model, 1, keep):
            out = main_output(model(x)).detach()
        with _leaf_outputs(model, x_hats.shape[0], compare):
            out_hat = main_output(model(x_hats)).detach()
    names = [n for n in reference if n in rows]  # execution order
    table = torch.stack([rows[n] for n in names] + [(out_hat - out).abs().flatten(1).amax(dim=1).cpu().double()])
    return names + ["output"], table


@contextmanager
def _leaf_outputs(model: nn.Module, batch: int, on_output, enabled: bool = True) -> Iterator[None]:
    """Forward hooks on every leaf module while the block runs: ``on_output(label, module, parts)`` gets the output
    tensors whose first axis is ``batch``; ``label`` is the module's name (``name#k`` for its ``k``-th call)."""
    counts: dict[str, int] = {}

    def hook_for(name: str):
        def hook(module: nn.Module, _inputs: object, out: object) -> None:
            parts = [t for t in _tensors(out) if t.ndim >= 1 and t.shape[0] == batch]
            if parts:
                counts[name] = counts.get(name, 0) + 1
                on_output(name if counts[name] == 1 else f"{name}#{counts[name]}", module, parts)
        return hook

    handles = [module.register_forward_hook(hook_for(name.removeprefix("model.")))
               for name, module in model.named_modules() if enabled and not any(True for _ in module.children())]
    try:
        yield
    finally:
        for handle in handles:
            handle.remove()


def main_output(out: object) -> torch.Tensor:
    """The tensor a model's output is judged by: itself, ``out["out"]`` (torchvision segmentation), or the first."""
    if isinstance(out, torch.Tensor):
        return out
    if isinstance(out, dict):
        return out["out"] if "out" in out else next(iter(out.values()))
    if isinstance(out, (tuple, list)):
        return main_output(out[0])
    raise TypeError(f"cannot compare a model output of type {type(out).__name__}")


def _tensors(out: object) -> list[torch.Tensor]:
    if isinstance(out, torch.Tensor):
        return [out]
    if isinstance(out, dict):
        return [t for v in out.values() for t in _tensors(v)]
    if isinstance(out, (tuple, list)):
        return [t for v in out for t in _tensors(v)]
    return []


def _diff(t: torch.Tensor, b: int) -> tuple[torch.Tensor, torch.Tensor]:
    a, a_hat = t[:b].detach(), t[b:].detach()
    if not a.is_floating_point():
        return torch.zeros(b), torch.zeros(b)
    diff = (a_hat - a).abs().flatten(1).amax(dim=1) if a[0].numel() else torch.zeros(b)
    ref = a.abs().flatten(1).amax(dim=1) if a[0].numel() else torch.ones(b)
    return diff.cpu().double(), ref.cpu().double()


def _rel(diff: torch.Tensor, ref: torch.Tensor) -> torch.Tensor:
    return diff / ref.clamp_min(1e-30)  # an all-zero reference feature: finite, huge unless diff is 0 too


def _compare(model: nn.Module, x: torch.Tensor, x_hat: torch.Tensor, hooks: bool):
    b = x.shape[0]
    records: list[list] = []

    def record(label: str, module: nn.Module, parts: list[torch.Tensor]) -> None:
        diffs = [_diff(t, b) for t in parts]
        diff = torch.stack([d for d, _ in diffs]).amax(dim=0)
        ref = torch.stack([r for _, r in diffs]).amax(dim=0)
        records.append([label, type(module).__name__, diff, _rel(diff, ref)])

    with torch.no_grad(), _leaf_outputs(model, 2 * b, record, enabled=hooks):
        out = main_output(model(torch.cat([x, x_hat])))
    diff, ref = _diff(out, b)
    return (diff, _rel(diff, ref), out[:b].float(), out[b:].float()), records


def _predictions(out: tuple, task: str) -> tuple[list[bool], list[Prediction]]:
    a, a_hat = out[2], out[3]
    if task == "detection":
        return _detections(a, a_hat)
    if task == "segmentation" or a.ndim == 4:
        m, m_hat = a.argmax(dim=1), a_hat.argmax(dim=1)
        agree = (m == m_hat).flatten(1).float().mean(dim=1)
        return ([bool(v == 1.0) for v in agree],
                [Prediction(pixel_agreement=float(v), classes_x=sorted(set(mi.unique().tolist())),
                            classes_x_hat=sorted(set(mh.unique().tolist()))) for v, mi, mh in zip(agree, m, m_hat)])
    k = min(5, a.shape[-1])
    top, top_hat = a.topk(k, dim=-1), a_hat.topk(k, dim=-1)
    same = (top.indices[:, 0] == top_hat.indices[:, 0]).tolist()
    preds = [Prediction(top5_x=ti.tolist(), top5_x_hat=th.tolist(), top5_logits_x=[round(v, 6) for v in tv.tolist()],
                        top5_logits_x_hat=[round(v, 6) for v in thv.tolist()])
             for ti, th, tv, thv in zip(top.indices, top_hat.indices, top.values, top_hat.values)]
    return same, preds


def _detections(a: torch.Tensor, a_hat: torch.Tensor) -> tuple[list[bool], list[Prediction]]:
    """Same detections: the same labels in the same (score) order; the top five labels and scores recorded."""
    same, preds = [], []
    for d, d_hat in zip(a, a_hat):
        d, d_hat = d[d[:, 5] >= 0], d_hat[d_hat[:, 5] >= 0]  # drop the padding (label -1)
        same.append(len(d) == len(d_hat) and bool(torch.equal(d[:, 5], d_hat[:, 5])))
        preds.append(Prediction(top5_x=d[:5, 5].long().tolist(), top5_x_hat=d_hat[:5, 5].long().tolist(),
                                top5_logits_x=[round(v, 6) for v in d[:5, 4].tolist()],
                                top5_logits_x_hat=[round(v, 6) for v in d_hat[:5, 4].tolist()]))
    return same, preds

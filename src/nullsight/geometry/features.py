"""The feature space ``Phi`` of a classifier: the input of its last linear layer (seed 002, Eqs. 1-4).

``x_phi = N_phi(x)`` is read with a forward pre-hook on a named ``nn.Linear`` (the
last one by default), whose ``(W, b)`` is the classifier head ``z = W x_phi + b``
that the flip points (Eqs. 7-8) are computed against.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
from torch import nn

from ..errors import InvalidInputError


@dataclass
class FeatureHead:
    """The named linear layer whose input is the feature space, and its weights."""

    name: str
    weight: torch.Tensor  # (n, f)
    bias: torch.Tensor  # (n,)


def linear_layers(model: nn.Module) -> list[str]:
    """Names of every ``nn.Linear`` in ``model``, in definition order."""
    return [name for name, module in model.named_modules() if isinstance(module, nn.Linear)]


def feature_head(model: nn.Module, layer: str | None = None) -> FeatureHead:
    """The linear layer ``layer`` (default: the last one); unknown names fail listing the candidates."""
    names = linear_layers(model)
    if not names:
        raise InvalidInputError("the model has no nn.Linear layer: its feature space (the input of a linear "
                                "classifier head) is undefined")
    name = names[-1] if layer is None else layer
    if name not in names:
        raise InvalidInputError(f"--feature-layer {name!r} is not a linear layer of the model; candidates: "
                                f"{', '.join(names)}")
    module = dict(model.named_modules())[name]
    bias = module.bias if module.bias is not None else torch.zeros(module.out_features)
    return FeatureHead(name, module.weight.detach(), bias.detach())


@torch.no_grad()
def extract_features(model: nn.Module, x: torch.Tensor, layer: str | None = None,
                     batch_size: int = 512) -> tuple[torch.Tensor, torch.Tensor]:
    """``(x_phi, logits)`` for model inputs ``x`` (already normalised), in chunks, on CPU in float32.

    ``x_phi`` is the flattened input of the feature layer; the model must return ``(B, classes)`` logits.
    Image batches run in ``channels_last`` (about 2x faster convolutions on CPU): the model's parameters are
    converted in place (same values, another memory layout).
    """
    head = feature_head(model, layer)
    module = dict(model.named_modules())[head.name]
    device = next(model.parameters()).device
    captured: list[torch.Tensor] = []
    handle = module.register_forward_pre_hook(lambda _m, inputs: captured.append(inputs[0].flatten(1).float().cpu()))
    features, logits = [], []
    if x.ndim == 4:
        model.to(memory_format=torch.channels_last)
    try:
        for start in range(0, len(x), batch_size):
            captured.clear()
            chunk = x[start:start + batch_size].to(device)
            out = model(chunk.contiguous(memory_format=torch.channels_last) if chunk.ndim == 4 else chunk)
            if not isinstance(out, torch.Tensor) or out.ndim != 2:
                raise InvalidInputError("the model is not a classifier (it does not return (B, classes) logits)")
            if len(captured) != 1:
                raise InvalidInputError(f"feature layer {head.name!r} ran {len(captured)} times in one forward pass")
            features.append(captured[0])
            logits.append(out.float().cpu())
    finally:
        handle.remove()
    return torch.cat(features), torch.cat(logits)


def feature_map(model: nn.Module, layer: str | None, to_model: Callable[[torch.Tensor], torch.Tensor]
                ) -> Callable[[torch.Tensor], torch.Tensor]:
    """Differentiable ``N_phi``: pixels -> the input of the feature layer (for inverse mapping, Eqs. 15-18)."""
    head = feature_head(model, layer)
    module = dict(model.named_modules())[head.name]

    def phi(pixels: torch.Tensor) -> torch.Tensor:
        captured: list[torch.Tensor] = []
        handle = module.register_forward_pre_hook(lambda _m, inputs: captured.append(inputs[0].flatten(1)))
        try:
            model(to_model(pixels))
        finally:
            handle.remove()
        return captured[0]

    return phi

"""Which linear operator does the input meet first?  Found by running a forward pass.

Parameter order is not execution order (timm registers ``cls_token`` first,
torchvision detection models normalise and resize before the backbone), so the
first weight of Table 2's last column is found with forward hooks; the pass is
stopped as soon as the first hooked module fires.  This is the one tracer: the
audit, the collisions and the steganography all find their first operator here.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn


class _Found(Exception):
    def __init__(self, name: str, inputs: tuple[torch.Tensor, ...]) -> None:
        super().__init__(name)
        self.name = name
        self.inputs = inputs


@dataclass(frozen=True)
class FirstOperator:
    """The module the input meets first, and what it receives (the pass stops there)."""

    module_name: str
    module: nn.Module
    input: torch.Tensor | None

    @property
    def input_shape(self) -> tuple[int, ...]:
        return tuple(self.input.shape) if self.input is not None else ()


def first_operator(model: nn.Module, example: torch.Tensor, candidates: list[str]) -> FirstOperator:
    """Name of the first module among ``candidates`` that a forward pass of ``example`` calls.

    Raises ``RuntimeError`` when the forward pass fails before reaching any of them.
    """
    modules = dict(model.named_modules())
    handles = []

    def hook_for(name: str):
        def hook(_module: nn.Module, inputs: tuple[torch.Tensor, ...]) -> None:
            raise _Found(name, inputs)

        return hook

    for name in candidates:
        handles.append(modules[name].register_forward_pre_hook(hook_for(name)))
    try:
        with torch.no_grad():
            _call(model, example)
    except _Found as found:
        received = found.inputs[0].detach() if found.inputs and isinstance(found.inputs[0], torch.Tensor) else None
        return FirstOperator(found.name, modules[found.name], received)
    finally:
        for handle in handles:
            handle.remove()
    raise RuntimeError("the forward pass never reached a linear operator")


def _call(model: nn.Module, example: torch.Tensor) -> object:
    """Forward ``example``; detection models take a list of (C, H, W) images instead of a batch."""
    try:
        return model(example)
    except _Found:
        raise
    except Exception as first_error:
        if example.ndim == 4:
            try:
                return model(list(example))
            except _Found:
                raise
            except Exception:
                pass
        raise first_error


def first_linear_operator(model: nn.Module, example: torch.Tensor) -> FirstOperator:
    """The first module with a linear weight (Linear, Conv, ...) that ``example`` meets, and what it receives.

    Raises ``ValueError`` when the model has no such module, ``RuntimeError`` when the pass never reaches one.
    """
    from ..operators import linear_weights

    names = [w.module_name for w in linear_weights(model) if w.module_type != "Parameter"]
    if not names:
        raise ValueError("the model has no linear operator (Linear / Conv)")
    return first_operator(model, example, list(dict.fromkeys(names)))

"""The first operator a model's input meets, found on the meta device, and its signature.

The forward pass is traced with :func:`nullsight.models.tracing.first_operator` (the pass stops at the first module
with a linear weight) inside a ``TorchDispatchMode`` that follows the input's lineage: every operation whose
arguments derive from the input is recorded.  What happened to the input before the operator decides what the
operator's null space means for the input:

- nothing, a rearrangement (views, permutes, copies: a bijection), an invertible per-channel affine map
  (normalisation, an eval BatchNorm) or zero padding of width 0: the operator's null space is the input's, up to
  that bijection, so its verdict is the model's;
- an interpolation: ``resize`` (the identity when the sizes agree);
- anything else (a non-linear step, a concatenation with tokens): ``transform``, undetermined.

torchvision detectors normalise, resize and batch their images in ``model.transform``
(``GeneralizedRCNNTransform``): at the working size the atlas uses, its resize is the identity.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
from torch import nn
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten

from ..errors import one_line
from ..models.tracing import first_operator
from ..operators import linear_weights
from .result import FirstOperator
from .verdict import Signature

LAYOUT = {"detach", "alias", "view", "_unsafe_view", "reshape", "permute", "transpose", "t", "clone", "contiguous",
          "unsqueeze", "squeeze", "unbind", "select", "_to_copy", "lift_fresh", "flatten", "expand", "slice", "copy"}
"""Operations that move input values without changing them (a bijection when the count of values is kept)."""
AFFINE = {"sub", "div", "mul", "add", "rsub", "_native_batch_norm_legit_no_training", "native_batch_norm"}
"""Per-channel affine maps with constants (normalisation): invertible for generic constants."""
RESIZE = ("upsample", "_upsample")


@dataclass
class Stem:
    """The first operator (``info``), its signature when its verdict can be decided, and why not otherwise."""

    info: FirstOperator | None
    module_name: str | None
    signature: Signature | None = None
    reason: str | None = None
    notes: list[str] = field(default_factory=list)


class _Lineage(TorchDispatchMode):
    """Records the operations applied to tensors that derive from ``source``."""

    def __init__(self, source: torch.Tensor) -> None:
        super().__init__()
        self.steps: dict[int, list[str]] = {id(source): []}
        self.mixed: dict[int, bool] = {id(source): False}
        self._keep: list[torch.Tensor] = [source]

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        flat, _ = tree_flatten((args, kwargs))
        derived = [t for t in flat if isinstance(t, torch.Tensor) and id(t) in self.steps]
        if derived:
            name = func.overloadpacket.__name__.rstrip("_")
            step = _describe(name, args, out)
            chain = max((self.steps[id(t)] for t in derived), key=len) + [step]
            mixed = len(derived) > 1 or any(self.mixed[id(t)] for t in derived)
            for t in tree_flatten(out)[0]:
                if isinstance(t, torch.Tensor):
                    self.steps[id(t)], self.mixed[id(t)] = chain, mixed
                    self._keep.append(t)
        return out

    def of(self, tensor: torch.Tensor | None) -> tuple[list[str] | None, bool]:
        if tensor is None or id(tensor) not in self.steps:
            return None, False
        return self.steps[id(tensor)], self.mixed[id(tensor)]


def _describe(name: str, args: tuple, out: object) -> str:
    if name == "constant_pad_nd" and len(args) > 1:
        return f"constant_pad_nd({','.join(str(int(p)) for p in args[1])})"
    if name.startswith(RESIZE) and isinstance(out, torch.Tensor) and isinstance(args[0], torch.Tensor):
        return f"{name}({'x'.join(map(str, args[0].shape[2:]))}->{'x'.join(map(str, out.shape[2:]))})"
    return name


def find_stem(model: nn.Module, input_size: tuple[int, ...]) -> Stem:
    """Trace ``model`` (on any device, meta included) on a ``(1, *input_size)`` input and classify its first operator."""
    device = next(model.parameters(), torch.empty(0)).device
    example = torch.zeros((1, *input_size), device=device)
    by_module: dict[str, str] = {}
    for w in linear_weights(model):
        if w.module_type != "Parameter":
            by_module.setdefault(w.module_name, w.name)
    if not by_module:
        return Stem(None, None, reason="the model has no linear operator (Linear / Conv)")
    lineage = _Lineage(example)
    try:
        with lineage:
            found = first_operator(model, example, list(by_module))
    except Exception as exc:  # a model whose forward fails before any linear operator
        return Stem(None, None, reason=f"forward trace failed before the first linear operator: "
                                       f"{type(exc).__name__}: {one_line(exc, 160)}")
    steps, mixed = lineage.of(found.input)
    steps = None if steps is None else [s for s in steps if s != "detach"]
    received = tuple(found.input.shape[1:]) if found.input is not None else None
    transform = getattr(model, "transform", None)
    if type(transform).__name__ == "GeneralizedRCNNTransform":
        return _detection(found.module_name, found.module, received, transform, input_size)
    return _classify(found.module_name, found.module, received, steps, mixed, input_size)


def _classify(name: str, module: nn.Module, received: tuple[int, ...] | None, steps: list[str] | None, mixed: bool,
              input_size: tuple[int, ...]) -> Stem:
    kind_name = type(module).__name__
    if received is None or steps is None:
        info = FirstOperator(name, "transform", kind_name, f"{kind_name} (input not traced)")
        return Stem(info, name, reason="the first operator does not receive a tensor derived from the input")
    resize = [s for s in steps if s.startswith(RESIZE)]
    unexplained = [s for s in steps if not _harmless(s) and s not in resize]
    sig, why = _signature(module, received)
    info = _info(name, module, sig, received, input_size, steps)
    if mixed or unexplained:
        info.kind = "transform"
        return Stem(info, name, reason=f"the input reaches {name} through {', '.join(unexplained or steps)}: a "
                                       "non-linear or mixing step first, no null space of the operator maps back")
    if resize:
        info.kind = "resize"
        if not all(_identity_resize(s) for s in resize):
            return Stem(info, name, reason=f"an interpolation first ({', '.join(resize)}): the resize's own null "
                                           "space is not analysed by the atlas")
    if sig is None:
        return Stem(info, name, reason=why)
    numel_kept = math.prod(received) == math.prod(input_size)
    if steps and not numel_kept and sig.kind != "fc":
        info.kind = "transform"
        return Stem(info, name, reason=f"the input is reshaped to {list(received)} ({', '.join(steps)}) and does not "
                                       "keep its number of values")
    notes = [f"after {', '.join(steps)} (a bijection of the input)"] if steps else []
    return Stem(info, name, sig, notes=notes)


def _harmless(step: str) -> bool:
    name = step.split("(")[0]
    if name == "constant_pad_nd":
        return all(v == "0" for v in step[len("constant_pad_nd("):-1].split(","))
    return name in LAYOUT or name in AFFINE


def _identity_resize(step: str) -> bool:
    sizes = step[step.index("(") + 1:-1].split("->")
    return len(sizes) == 2 and sizes[0] == sizes[1]


def _signature(module: nn.Module, received: tuple[int, ...]) -> tuple[Signature | None, str | None]:
    """The operator's signature at the shape it receives, or why it has none."""
    if isinstance(module, nn.Linear):
        features = module.in_features
        if received[-1] != features:
            return None, f"a Linear on an input of shape {list(received)}"
        tokens = math.prod(received[:-1])
        if tokens == 1:
            return Signature("fc", features, module.out_features), None
        return Signature("patchify", features, module.out_features, (tokens,), (1,), (1,), ((0, 0),), (1,)), None
    if isinstance(module, (nn.Conv1d, nn.Conv2d, nn.Conv3d)):
        d = len(received) - 1
        if module.padding_mode != "zeros" and any(_tuple(module.padding, d)):
            return None, f"{type(module).__name__} pads with {module.padding_mode!r}"
        kernel, stride, dilation = _tuple(module.kernel_size, d), _tuple(module.stride, d), _tuple(module.dilation, d)
        padding = _padding(module, received[1:], kernel, stride, dilation)
        patch = stride == kernel and all(p == (0, 0) for p in padding) and all(v == 1 for v in dilation)
        kind = "patchify" if patch and module.groups == 1 else "conv"
        return Signature(kind, received[0], module.out_channels, tuple(received[1:]), kernel, stride, padding,
                         dilation, module.groups), None
    return None, f"the first operator is a {type(module).__name__}: the atlas decides Linear and Conv1d/2d/3d"


def _tuple(value: object, d: int) -> tuple[int, ...]:
    return tuple(int(v) for v in value) if isinstance(value, (tuple, list)) else (int(value),) * d  # type: ignore[arg-type]


def _padding(module: nn.Module, spatial: tuple[int, ...], kernel: tuple[int, ...], stride: tuple[int, ...],
             dilation: tuple[int, ...]) -> tuple[tuple[int, int], ...]:
    """``(before, after)`` per axis: explicit padding, ``'valid'``, ``'same'``, and timm's dynamic
    TensorFlow-'SAME' convolutions (``Conv2dSame``: pads ``total // 2`` before, the rest after)."""
    if type(module).__name__.endswith("Same"):
        out = []
        for n, k, s, dl in zip(spatial, kernel, stride, dilation):
            total = max((math.ceil(n / s) - 1) * s + (k - 1) * dl + 1 - n, 0)
            out.append((total // 2, total - total // 2))
        return tuple(out)
    if module.padding == "valid":
        return ((0, 0),) * len(kernel)
    if module.padding == "same":  # torch pads the extra one after
        return tuple((dl * (k - 1) // 2, dl * (k - 1) - dl * (k - 1) // 2) for k, dl in zip(kernel, dilation))
    return tuple((p, p) for p in _tuple(module.padding, len(kernel)))


def _info(name: str, module: nn.Module, sig: Signature | None, received: tuple[int, ...],
          input_size: tuple[int, ...], steps: list[str]) -> FirstOperator:
    kind_name = type(module).__name__
    shape = list(received) if tuple(received) != tuple(input_size) else None
    if sig is None:
        return FirstOperator(name, "other", kind_name, kind_name, input_shape=shape, steps=steps)
    conv = sig.kind != "fc" and kind_name != "Linear"
    return FirstOperator(
        name, sig.kind, kind_name, sig.key(),
        kernel=list(sig.kernel) if conv else None, stride=list(sig.stride) if conv else None,
        padding=[p for pair in sig.padding for p in pair] if conv else None,
        in_channels=sig.in_channels, out_channels=sig.out_channels, input_shape=shape, steps=steps)


def _detection(name: str, module: nn.Module, received: tuple[int, ...] | None, transform: nn.Module,
               input_size: tuple[int, ...]) -> Stem:
    """A torchvision detector: ``model.transform`` normalises (invertible), resizes and batches the image first; at
    the working size the resize is the identity and the batch needs no padding, so the backbone's first operator
    decides."""
    received = received or input_size
    sig, why = _signature(module, received)
    info = _info(name, module, sig, received, input_size, [f"{type(transform).__name__}: normalise, resize, batch"])
    info.kind, info.name = "resize", f"transform -> {name}"
    info.module_type = f"{type(transform).__name__} -> {type(module).__name__}"
    if tuple(received) != tuple(input_size):
        return Stem(info, name, reason=f"the transform resizes {list(input_size)} to {list(received)}: the resize's "
                                       "own null space is not analysed by the atlas")
    if sig is None:
        return Stem(info, name, reason=why)
    return Stem(info, name, sig, notes=[f"the transform's resize is the identity at {input_size[1]}x{input_size[2]} "
                                        "(its working size) and its normalisation invertible: the backbone's first "
                                        "operator decides"])

"""The first linear operator an input meets, found by a forward trace, and what kind it is.

Seed 000, Definition 4 uses ``W_1``, "the weights of the first layer"; which
layer that is depends on execution order, not parameter order, so it is found
with :func:`nullsight.models.tracing.first_operator`.  Three kinds:

- ``fc``: an ``nn.Linear`` fed the flattened input (MLPs on images, tabular vectors or signals; Lemma 1);
- ``patchify``: an ``nn.Conv2d`` with stride == kernel, no padding, dilation 1,
  groups 1 (ViT / DeiT patch embeddings, Remark 2): the operator is block
  diagonal, one copy of the ``out x (C k k)`` patch matrix per patch;
- ``conv-operator``: any other ``nn.Conv2d`` (overlapping or padded, AlexNet's
  and ResNet's conv1): neighbouring patches share pixels, so only the null
  space of the whole operator at the input resolution gives exact collisions.

A ``Conv1d`` on a signal ``(C, T)`` is the same operator as a ``Conv2d`` with a
``(1, K)`` kernel on ``(C, 1, T)``: it is classified and solved in that 2-D view
(``input_size``), and the perturbation is reshaped back to the model's input
(``model_input_size``).

The weight returned is the *pixel-space* weight ``W diag(1/std)`` (see
:mod:`nullsight.collisions.pixel`), in fp64.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import nn

from ..errors import InvalidInputError
from ..models.tracing import first_linear_operator
from .pixel import PixelSpace
from .result import FirstLayerInfo


@dataclass
class FirstLayer:
    """The first linear operator, in pixel space.

    ``weight``: fp64 ``(out, in_features)`` for ``fc``, ``(out, C, kh, kw)`` for convolutions.
    """

    name: str
    module_type: str
    method: str
    weight: torch.Tensor
    stored_dtype: torch.dtype
    input_size: tuple[int, int, int]
    stride: tuple[int, int] = (1, 1)
    padding: tuple[int, int] = (0, 0)
    dilation: tuple[int, int] = (1, 1)
    groups: int = 1
    notes: list[str] = field(default_factory=list)
    model_input_size: tuple[int, ...] | None = None  # the model's own input shape, where it is not (C, H, W)

    @property
    def kernel(self) -> tuple[int, int]:
        return tuple(self.weight.shape[-2:]) if self.weight.ndim == 4 else (1, 1)  # type: ignore[return-value]

    @property
    def patch_grid(self) -> tuple[int, int]:
        """``(gh, gw)``: the whole ``kernel``-sized tiles of the input (the patches of a patchify layer)."""
        _, h, w = self.input_size
        kh, kw = self.kernel
        return (h // kh, w // kw)

    @property
    def patch_matrix(self) -> torch.Tensor:
        """The paper's ``W_1``: ``out x in_features`` (fc) or ``out x (C/g * kh * kw)`` (conv)."""
        return self.weight.reshape(self.weight.shape[0], -1)

    def info(self) -> FirstLayerInfo:
        """What the result records of this layer."""
        conv = {} if self.method == "fc" else dict(kernel=list(self.kernel), stride=list(self.stride),
                                                   padding=list(self.padding), dilation=list(self.dilation),
                                                   groups=self.groups)
        return FirstLayerInfo(self.name, self.module_type, self.method, list(self.patch_matrix.shape), **conv,
                              notes=list(self.notes))


def operator_view(input_size: tuple[int, ...]) -> tuple[int, int, int]:
    """The ``(C, H, W)`` view an input of ``input_size`` is solved in: images as they are, ``(C, T) -> (C, 1, T)``,
    ``(D,) -> (1, 1, D)``."""
    if len(input_size) == 3:
        return tuple(input_size)  # type: ignore[return-value]
    if len(input_size) == 2:
        return (input_size[0], 1, input_size[1])
    if len(input_size) == 1:
        return (1, 1, input_size[0])
    raise InvalidInputError(f"inputs must be vectors (D,), signals (C, T) or images (C, H, W); got {tuple(input_size)}")


def find_first_layer(model: PixelSpace, input_size: tuple[int, ...]) -> FirstLayer:
    """Trace ``model`` on an example of ``input_size`` and classify its first operator.

    ``input_size``: ``(C, H, W)`` images, ``(C, T)`` signals or ``(D,)`` vectors.  Raises
    :class:`InvalidInputError` when the first operator is not a Linear, Conv1d or Conv2d, or when the input
    reaches it transformed (a non-linear or data-dependent step first), since no weight null space then maps to inputs.
    """
    input_size = tuple(int(v) for v in input_size)
    c, h, w = operator_view(input_size)
    device = next(model.parameters(), torch.empty(0)).device
    example = torch.rand((1, *input_size), generator=torch.Generator().manual_seed(0)).to(device)
    try:
        found = first_linear_operator(model, example)
    except ValueError:
        raise InvalidInputError("the model has no linear operator (Linear / Conv) to build a collision from") from None
    except RuntimeError as exc:
        raise InvalidInputError(f"cannot trace the model on a {tuple(input_size)} input: {exc}") from None
    module = found.module
    name = found.module_name.removeprefix("model.")
    kinds = (nn.Linear, nn.Conv2d) if len(input_size) == 3 else (nn.Linear, nn.Conv1d) if len(input_size) == 2 else (nn.Linear,)
    if isinstance(module, nn.RNNBase) and len(input_size) == 2:
        return _recurrent(name, module, found.input, model.to_model(example), input_size)
    if not isinstance(module, kinds):
        raise InvalidInputError(f"the first linear operator {name} is a {type(module).__name__}; collisions on "
                                f"{len(input_size)}-D inputs are built through a {' or '.join(k.__name__ for k in kinds)} only")
    seen = found.input
    expected = model.to_model(example)
    std = model.channel_std(c)
    stored = module.weight.dtype
    weight = module.weight.detach().to(device="cpu", dtype=torch.float64)
    view = None if len(input_size) == 3 else input_size
    if isinstance(module, nn.Linear):
        if seen is None or seen.shape[-1] != c * h * w or not torch.equal(seen.reshape(1, -1), expected.reshape(1, -1)):
            raise InvalidInputError(_transformed(name, "Linear"))
        scale = std.repeat_interleave(h * w)  # one std per flattened input value, channel-major
        return FirstLayer(name, "Linear", "fc", weight / scale, stored, (c, h, w), model_input_size=view)
    if seen is None or seen.shape != expected.shape or not torch.equal(seen, expected):
        raise InvalidInputError(_transformed(name, type(module).__name__))
    if module.padding_mode != "zeros" and any(_pair(module.padding)):
        raise InvalidInputError(f"{name} pads with {module.padding_mode!r}; only zero padding is supported")
    if isinstance(module, nn.Conv1d):  # solved as a (1, K) Conv2d on (C, 1, T)
        weight = weight.unsqueeze(2)
        stride, dilation = (1, int(module.stride[0])), (1, int(module.dilation[0]))
        padding = (0, _padding(module, weight.shape[-1:])[0])
    else:
        stride, dilation = _pair(module.stride), _pair(module.dilation)
        padding = _padding(module, weight.shape[-2:])
    groups = module.groups
    out_ch, in_per_group = weight.shape[:2]
    channel = (torch.arange(out_ch) // (out_ch // groups)).view(-1, 1) * in_per_group + torch.arange(in_per_group)
    weight = weight / std[channel].view(out_ch, in_per_group, 1, 1)  # W diag(1/std): input-space weight
    kernel = tuple(weight.shape[-2:])
    patchify = stride == kernel and padding == (0, 0) and dilation == (1, 1) and groups == 1
    layer = FirstLayer(name, type(module).__name__, "patchify" if patchify else "conv-operator", weight, stored,
                       (c, h, w), stride, padding, dilation, groups, model_input_size=view)
    if patchify and (h % kernel[0] or w % kernel[1]):
        layer.notes.append(f"{h % kernel[0]} row(s) / {w % kernel[1]} column(s) at the border are never seen "
                           "by the patch grid; the perturbation leaves them at zero")
    return layer


def _recurrent(name: str, module: nn.RNNBase, seen: torch.Tensor | None, expected: torch.Tensor,
               input_size: tuple[int, ...]) -> FirstLayer:
    """An RNN / LSTM / GRU reading ``(T, D)`` sequences (``batch_first``): ``W_ih`` meets every step alike.

    Each time step is a patch of the ``(1, T, D)`` view with kernel ``(1, D)``: ``P = [phi_1 ... phi_T]`` with
    ``phi_t`` in ``ker(W_ih)`` (stacked with the reverse direction's ``W_ih`` when bidirectional: both must miss it).
    The hidden-to-hidden weights never see the input, so the whole recurrence then runs on identical gate inputs.
    """
    if not module.batch_first or seen is None or seen.shape != expected.shape or not torch.equal(seen, expected):
        raise InvalidInputError(f"{name} ({type(module).__name__}) must read the model's (T, D) input as it is, "
                                "batch_first; it receives it reordered or transformed")
    weights = [module.weight_ih_l0] + ([module.weight_ih_l0_reverse] if module.bidirectional else [])
    stored = weights[0].dtype
    w = torch.cat([v.detach().to(device="cpu", dtype=torch.float64) for v in weights])  # (gates x directions, D)
    t, d = input_size
    layer = FirstLayer(name, type(module).__name__, "patchify", w.reshape(w.shape[0], 1, 1, d), stored, (1, t, d),
                       stride=(1, d), model_input_size=tuple(input_size))
    layer.notes.append(f"W_ih ({w.shape[0]} x {d}{', both directions' if module.bidirectional else ''}) applied to "
                       f"each of the {t} time steps: every step is a patch")
    return layer


def _transformed(name: str, kind: str) -> str:
    return (f"the input reaches the first linear operator {name} ({kind}) transformed (a non-linear or resizing "
            "step comes first); no null space of its weight maps back to input pixels")


def _pair(value: object) -> tuple[int, int]:
    if isinstance(value, (tuple, list)):
        return (int(value[0]), int(value[1]))
    return (int(value), int(value))  # type: ignore[arg-type]


def _padding(module: nn.Conv1d | nn.Conv2d, kernel: tuple[int, ...]) -> tuple[int, ...]:
    """Zero padding per spatial axis (one for Conv1d, two for Conv2d), ``'valid'`` and symmetric ``'same'`` resolved."""
    n = len(kernel)
    if module.padding == "valid":
        return (0,) * n
    if module.padding == "same":
        dil = tuple(module.dilation)[-n:] if len(tuple(module.dilation)) >= n else (module.dilation[0],) * n
        total = [d * (k - 1) for d, k in zip(dil, kernel)]
        if any(t % 2 for t in total):
            raise InvalidInputError(f"{module} uses asymmetric 'same' padding; not supported")
        return tuple(t // 2 for t in total)
    return tuple(int(v) for v in module.padding) if n == 2 or len(module.padding) == n else (int(module.padding[0]),) * n

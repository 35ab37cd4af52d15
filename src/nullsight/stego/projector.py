"""Null(W1) and its complement for a network whose first operator is fully connected (seed 001, Sec. 2.2, 3).

For ``f = f2 o T1`` with ``T1(x) = W1 x`` linear, ``Null(W1)`` is a (partial)
null space of ``f``: ``f(x + v) = f(x)`` for every ``v`` in it (Lemma 2.3).
Any input splits into ``x = x_hat + x_perp``, the orthogonal projections onto
``Null(W1)`` and onto the row space of ``W1``; the network sees only ``x_perp``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from ..errors import InvalidInputError
from ..linalg import default_rtol, null_space
from ..models.tracing import first_linear_operator


@dataclass
class NullSpaceProjector:
    """Orthonormal basis ``(n, d)`` of ``Null(W1)`` (fp64) with the projections onto it and its complement."""

    weight: torch.Tensor
    basis: torch.Tensor

    @classmethod
    def from_weight(cls, weight: torch.Tensor, rtol: float | None = None) -> "NullSpaceProjector":
        rtol_ = default_rtol(tuple(weight.shape), weight.dtype) if rtol is None else rtol
        return cls(weight.detach().double().cpu(), null_space(weight, rtol=rtol_).cpu())

    @classmethod
    def from_model(cls, model: nn.Module, example: torch.Tensor, rtol: float | None = None) -> "NullSpaceProjector":
        """The projector of the first operator ``example`` meets: an ``nn.Linear`` (``W1``) or an ``nn.Conv2d`` fed
        the input itself, whose dense operator matrix (App. B: valid convolutions have null spaces) stands in for
        ``W1``."""
        try:
            found = first_linear_operator(model, example)
        except ValueError:
            raise InvalidInputError("the model has no linear layer") from None
        if isinstance(found.module, nn.Conv2d):
            return cls.from_weight(conv_operator(found.module, found.input, example), rtol)
        return cls.from_weight(first_linear(model, example).weight, rtol)

    @property
    def dim(self) -> int:
        return int(self.basis.shape[1])

    def null_part(self, x: torch.Tensor) -> torch.Tensor:
        """``x_hat``: the component of each input in ``Null(W1)`` (shape and dtype of ``x``)."""
        flat = x.reshape(len(x), -1).double().cpu()
        return ((flat @ self.basis) @ self.basis.T).reshape(x.shape).to(x.dtype).to(x.device)

    def row_part(self, x: torch.Tensor) -> torch.Tensor:
        """``x_perp``: what the network sees, the component in the row space of ``W1``."""
        flat = x.reshape(len(x), -1).double().cpu()
        perp = flat - (flat @ self.basis) @ self.basis.T
        return perp.reshape(x.shape).to(x.dtype).to(x.device)

    def residual(self) -> float:
        """``max |W1 N|`` in fp64: how null the basis really is (round-off level)."""
        return float((self.weight @ self.basis).abs().max()) if self.dim else 0.0


DENSE_CONV_LIMIT = 50_000_000
"""Largest dense first-convolution operator (entries) built for stego: 28x28 MNIST with 2 kernels is ~1.1e6."""


def conv_operator(conv: nn.Conv2d, received: torch.Tensor | None, example: torch.Tensor) -> torch.Tensor:
    """The fp64 matrix ``(C_out H' W', C H W)`` of a first ``Conv2d`` that receives the input unchanged."""
    from ..operators import conv2d_operator_matrix

    if received is None or tuple(received.shape) != tuple(example.shape) or not torch.equal(received, example):
        raise InvalidInputError("null-space steganography through a convolution needs the input to reach the first "
                                "Conv2d unchanged (no normalisation or resizing inside the model)")
    if conv.padding_mode != "zeros":
        raise InvalidInputError(f"the first Conv2d pads with {conv.padding_mode!r}; only zero padding is supported")
    n_in = example[0].numel()
    with torch.no_grad():
        n_out = conv(example[:1].to(conv.weight.dtype)).numel()
    if n_in * n_out > DENSE_CONV_LIMIT:
        raise InvalidInputError(
            f"null-space steganography needs a fully connected first layer or a small first convolution; "
            f"{type(conv).__name__} maps {n_in} to {n_out} values, a dense operator of {n_in * n_out:.2e} entries "
            f"(limit {DENSE_CONV_LIMIT:.0e}) — see `nullsight stego conv` and `nullsight collide` for large convolutions")
    return conv2d_operator_matrix(conv.weight, tuple(example.shape[-2:]), conv.stride, conv.padding, conv.dilation,
                                  conv.groups)


def first_linear(model: nn.Module, example: torch.Tensor) -> nn.Linear:
    """The first linear operator of ``model`` (by a forward trace); an error unless it is fully connected."""
    try:
        found = first_linear_operator(model, example)
    except ValueError:
        raise InvalidInputError("the model has no linear layer") from None
    if not isinstance(found.module, nn.Linear):
        raise InvalidInputError(
            f"null-space steganography needs a fully connected first layer; this model starts with "
            f"{type(found.module).__name__} ({found.module_name}) — see `nullsight stego conv` for convolutions"
        )
    return found.module

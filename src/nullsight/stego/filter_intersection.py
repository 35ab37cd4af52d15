"""Null spaces of a first convolution (seed 001, App. B, Lemma B.1).

One ``k x k`` kernel with valid padding and stride 1 on ``n x n`` inputs maps
``n^2`` to ``(n-k+1)^2`` values and is full rank for almost every kernel, so its
null space has dimension ``n^2 - (n-k+1)^2`` (108 for 3x3 on 28x28; the paper's
text says 109).  Several kernels act together: the layer's null space is the
intersection of theirs, computed here as the null space of the stacked
operator.  With same padding a single kernel is already injective.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch

from ..linalg import default_rtol, null_space
from ..operators import conv2d_operator_matrix


@dataclass
class ConvNullRow:
    """The null space of the first ``filters`` kernels together, and the forward-pass check of its basis."""

    filters: int
    input_dim: int
    output_dim: int
    null_dim: int
    expected_generic: int
    max_abs_conv_of_basis: float | None
    max_abs_diff_forward: float | None

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def conv_null_spaces(
    kernels: torch.Tensor, size: int, padding: int = 0, seed: int = 0
) -> list[ConvNullRow]:
    """For ``f = 1..F`` of ``kernels`` ``(F, C, k, k)``: null dimension of the stacked operator and its check."""
    rows = []
    generator = torch.Generator().manual_seed(seed)
    channels = kernels.shape[1]
    x = torch.rand(1, channels, size, size, generator=generator, dtype=torch.float64)
    for f in range(1, len(kernels) + 1):
        weight = kernels[:f]
        op = conv2d_operator_matrix(weight, (size, size), padding=padding)
        rtol = default_rtol(tuple(op.shape), weight.dtype)  # the precision the layer computes in
        basis = null_space(op, rtol=rtol)
        conv_abs = diff = None
        if basis.shape[1]:
            v = basis.T.reshape(-1, channels, size, size)
            w64 = weight.double()
            conv_abs = float(torch.nn.functional.conv2d(v, w64, padding=padding).abs().max())
            shifted = x + v * (1.0 / v.flatten(1).abs().amax(1)).view(-1, 1, 1, 1)  # unit-max perturbations
            diff = float((torch.nn.functional.conv2d(shifted, w64, padding=padding)
                          - torch.nn.functional.conv2d(x, w64, padding=padding)).abs().max())
        n_in, n_out = op.shape[1], op.shape[0]
        rows.append(ConvNullRow(f, n_in, n_out, int(basis.shape[1]), max(n_in - n_out, 0), conv_abs, diff))
    return rows

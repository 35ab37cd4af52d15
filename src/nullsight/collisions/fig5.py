"""Numerical exactness, seed 000 Fig. 5: for every null-space basis vector, the difference it makes at every layer.

The paper feeds inputs built from each of ResNet-50's 84 basis vectors ``phi in ker(W_1)`` and plots the largest
activation of every later layer (all below 1.5e-14).  Here, for each basis vector ``k`` of the first operator's null
space, ``x_hat_k = x + beta * d_k`` (``d_k``: ``phi_k`` tiled over the patch grid, or the basis vector itself for a
fully connected layer, scaled to unit L-infinity) is compared with ``x`` at every layer, in fp32 and in an fp64 copy
of the model, batched over basis vectors.  The fp64 column is the round-off of an exact collision; the fp32 one is
what a deployed model computes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import torch

from ..errors import InvalidInputError
from ..progress import Tracker
from ..results import Result, register_result
from .perturbation import image_direction, tiled_direction
from .search import NullSpaceSearch
from .verify import layer_table_against


@register_result
@dataclass
class Fig5Result(Result):
    """Per layer: the largest and the median (over basis vectors) ``max |f_k(x_hat) - f_k(x)|``, fp32 and fp64."""

    KIND: ClassVar[str] = "collision-fig5"
    method: str
    null_dim: int
    n_vectors: int
    beta: float
    layers: list[str]
    max_abs_fp32: list[float]
    max_abs_fp64: list[float]
    median_abs_fp32: list[float]
    median_abs_fp64: list[float]
    per_vector_output_fp64: list[float]
    paper_max: float = 1.5e-14

    def headline(self) -> str:
        return (f"{self.model}: {self.n_vectors} null-space basis vectors, largest difference at any layer "
                f"{max(self.max_abs_fp64):.1e} (fp64), {max(self.max_abs_fp32):.1e} (fp32); the paper's Fig. 5: "
                f"below {self.paper_max:.1e}")


def per_basis_vector(search: NullSpaceSearch, image: torch.Tensor, beta: float = 1.0, chunk: int = 32,
                     limit: int | None = None, track: Tracker | None = None, name: str = "model") -> Fig5Result:
    """Fig. 5 for ``image`` ``(1, *input_size)``: every basis vector (the first ``limit``), ``chunk`` at a time."""
    x = search.check_images(image)
    prep = search.prepare()
    basis = prep.null.basis
    if basis is None or not prep.null.dim or not prep.null.certified:
        raise InvalidInputError(f"{name}: the first operator has no exact null space to take basis vectors from "
                                f"({prep.message})")
    n = prep.null.dim if limit is None else min(limit, prep.null.dim)
    starts = list(range(0, n, chunk))
    names: list[str] = []
    a32, a64 = [], []
    for start in (starts if track is None else track(starts, "basis vectors", len(starts))):
        ks = range(start, min(start + chunk, n))
        if prep.first.method == "patchify":
            ds = [tiled_direction(prep.first, basis, k).image for k in ks]
        else:
            ds = [image_direction(prep.first, basis, k).image for k in ks]
        d = torch.stack(ds).reshape(len(ds), *search.input_size).to(x.device)
        names, abs32, abs64 = layer_table_against(prep.verifier.model32, prep.verifier.model64, x, x + beta * d)
        a32.append(abs32)
        a64.append(abs64)
    abs32, abs64 = torch.cat(a32, dim=1), torch.cat(a64, dim=1)  # (layers, vectors)
    start = names.index(prep.first.name) if prep.first.name in names else 0  # layers before W_1 see P itself
    names, abs32, abs64 = names[start:], abs32[start:], abs64[start:]
    return Fig5Result(
        model=name, method=prep.first.method, null_dim=prep.null.dim, n_vectors=n, beta=beta, layers=names,
        max_abs_fp32=abs32.amax(dim=1).tolist(), max_abs_fp64=abs64.amax(dim=1).tolist(),
        median_abs_fp32=abs32.median(dim=1).values.tolist(), median_abs_fp64=abs64.median(dim=1).values.tolist(),
        per_vector_output_fp64=abs64[-1].tolist())

"""The kernel ``ker(D)`` of a downsampling operator (seed 004, "Problem": ``dim ker(D) = n - rank(D) >= n - m``).

Fast path (matrix-free): every operator is separable, ``D = A (x) A``, so
``rank(D) = rank(A)^2`` and ``ker(D)`` has the orthonormal basis
``{v_a (x) v_b : v_a or v_b in ker(A)}`` built from the 1-D SVD of ``A``; the
projector onto ``ker(D)`` is ``X -> X - Q Q^T X Q Q^T`` with ``Q`` an orthonormal
basis of the row space of ``A``.  Cost ``O(H^3)`` instead of ``O(H^6)``.
Slow reference: the dense ``m x n`` matrix and its fp64 SVD (:mod:`nullsight.linalg`).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ..linalg import default_rtol, null_space, reference_rank, separable_null_projection, split_spaces
from .operators import Downsampler, dense_matrix, factor_matrix


@dataclass(frozen=True)
class SeparableKernel:
    """``ker(A (x) A)`` on ``size x size`` channels from the 1-D SVD of ``A`` (fp64)."""

    size: int
    rows: int                 # h: output side
    row_basis: torch.Tensor   # (size, r): orthonormal basis of the row space of A, smoothest first
    null_basis: torch.Tensor  # (size, size - r): orthonormal basis of ker(A), smoothest first
    sigma: torch.Tensor       # singular values of A, descending
    tolerance: float

    @property
    def rank(self) -> int:
        """``rank(D) = rank(A)^2``."""
        return self.row_basis.shape[1] ** 2

    @property
    def n(self) -> int:
        return self.size * self.size

    @property
    def m(self) -> int:
        return self.rows * self.rows

    @property
    def nullity(self) -> int:
        """``dim ker(D) = n - rank(D)``."""
        return self.n - self.rank

    def project(self, x: torch.Tensor) -> torch.Tensor:
        """``P_ker x`` for ``(..., size, size)`` images: ``x - Q Q^T x Q Q^T`` (channel by channel)."""
        return separable_null_projection(x, self.row_basis, self.row_basis)

    def basis_images(self, count: int | None = None) -> torch.Tensor:
        """The first ``count`` orthonormal basis images of ``ker(D)`` ``(count, size, size)``, lowest frequency first.

        Ordered by ``(i + j)`` over pairs ``(v_i, v_j)``, ``v`` the row-space basis then the
        kernel basis of ``A`` (each smoothest first), with at least one of the pair in ``ker(A)``.
        """
        vectors = torch.cat([self.row_basis, self.null_basis], dim=1)  # all right singular vectors of A
        r = self.row_basis.shape[1]
        pairs = sorted(((i, j) for i in range(self.size) for j in range(self.size) if i >= r or j >= r),
                       key=lambda ij: (ij[0] + ij[1], ij))
        pairs = pairs[: count if count is not None else len(pairs)]
        return torch.stack([torch.outer(vectors[:, i], vectors[:, j]) for i, j in pairs]) if pairs else \
            torch.zeros(0, self.size, self.size, dtype=vectors.dtype)


def separable_kernel(op: Downsampler, size: int, rtol: float | None = None) -> SeparableKernel:
    """The fast path: :class:`SeparableKernel` of ``op`` on ``size x size`` channels."""
    a = factor_matrix(op, size)
    split = split_spaces(a, default_rtol(tuple(a.shape), a.dtype) if rtol is None else rtol)
    return SeparableKernel(size, a.shape[0], _smoothest_first(split.row), _smoothest_first(split.null), split.sigma,
                           split.tolerance)


def _smoothest_first(null: torch.Tensor) -> torch.Tensor:
    """The same subspace, rotated to the eigenvectors of the 1-D Laplacian restricted to it (smoothest first).

    The SVD's basis of a degenerate (zero) singular value is arbitrary; this one is
    ordered by frequency, so that the first basis images are the informative ones.
    """
    n = null.shape[0]
    if null.shape[1] == 0 or n < 2:
        return null.contiguous()
    lap = 2 * torch.eye(n, dtype=null.dtype) - torch.diag(torch.ones(n - 1, dtype=null.dtype), 1) \
        - torch.diag(torch.ones(n - 1, dtype=null.dtype), -1)
    lap[0, 0] = lap[-1, -1] = 1.0  # Neumann ends
    _, rotation = torch.linalg.eigh(null.transpose(0, 1) @ lap @ null)
    return (null @ rotation).contiguous()


@dataclass(frozen=True)
class DenseKernel:
    """The reference: rank and an orthonormal kernel basis ``(n, n - rank)`` from the dense matrix's fp64 SVD."""

    rank: int
    nullity: int
    m: int
    n: int
    basis: torch.Tensor


def dense_kernel(op: Downsampler, size: int) -> DenseKernel:
    """The slow reference for ``op`` on ``size x size`` channels (``n = size^2`` columns; keep ``size <= 48``)."""
    matrix = dense_matrix(op, (size, size))
    info = reference_rank(matrix)
    return DenseKernel(info.rank, info.nullity, info.rows, info.cols, null_space(matrix))


def kernel_dense_projector(kernel: SeparableKernel) -> torch.Tensor:
    """``P_ker`` as an ``n x n`` matrix (for tests against the dense basis: ``N N^T``)."""
    eye = torch.eye(kernel.n, dtype=torch.float64).reshape(kernel.n, kernel.size, kernel.size)
    return kernel.project(eye).reshape(kernel.n, kernel.n)

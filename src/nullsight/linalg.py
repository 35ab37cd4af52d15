"""Numerical rank, nullity and null-space bases with one tolerance policy.

Seed 000 (Lemma 1, Theorem 1, Table 2) counts the nullity of every weight
matrix.  Numerical rank needs a threshold; nullsight uses one policy
everywhere, the one of LAPACK / ``numpy.linalg.matrix_rank`` /
``torch.linalg.matrix_rank``::

    tau = rtol * sigma_max,   rtol = max(m, n) * eps(dtype of the stored weight)

A singular value counts towards the rank when ``sigma > tau``.  ``eps`` is the
machine epsilon of the dtype the weight is *stored* in (fp32 for almost every
checkpoint): the question is whether a direction is distinguishable from zero
at the precision the network computes in.  The singular values themselves are
always computed in fp64.

Fast path (``method="gram"``): the eigenvalues of the fp64 Gram matrix of the
smaller side, ``W W^T`` or ``W^T W`` (k x k, k = min(m, n)).  The products of
fp32 entries are exact in fp64, so only the summation rounds, and Weyl's
inequality bounds every eigenvalue's error by

    delta = gamma_n * ||W||_F^2 + 10 * k * u * ||G||_2,   gamma_n = n u / (1 - n u),  u = 2^-53

(the first term bounds the Gram's rounding, the second the symmetric
eigensolver's backward error).  Every eigenvalue farther than ``delta`` from
``tau^2`` is classified rigorously.  A layer with an eigenvalue inside that band
("near the cut"), or whose ``tau^2`` is itself below ``delta`` (fp64 weights),
is confirmed by an fp64 SVD of the matrix, the reference (``method="svd"``).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Literal

import torch

from .errors import InvalidInputError

Method = Literal["auto", "gram", "svd"]

_U64 = 2.0**-53


def default_rtol(shape: tuple[int, int], dtype: torch.dtype) -> float:
    """LAPACK-style relative tolerance ``max(m, n) * eps(dtype)``."""
    eps = torch.finfo(dtype if dtype.is_floating_point else torch.float32).eps
    return max(shape) * eps


@dataclass(frozen=True)
class RankInfo:
    """Numerical rank of one ``rows x cols`` matrix, and what supports it.

    ``nullity = cols - rank`` (the dimension of ``{x : W x = 0}``);
    ``sigma_below_cut`` / ``sigma_above_cut`` are the singular values on either
    side of the threshold ``tolerance`` (``None`` where there is none), and
    ``gap`` is their ratio.  ``resolution`` is the error bound on the computed
    singular values near zero (``sqrt(delta)`` on the Gram path, 0 for the SVD).
    """

    rows: int
    cols: int
    rank: int
    nullity: int
    structural_nullity: int
    sigma_max: float
    sigma_min: float
    tolerance: float
    rtol: float
    sigma_below_cut: float | None
    sigma_above_cut: float | None
    gap: float | None
    resolution: float
    method: str

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def numerical_rank(matrix: torch.Tensor, rtol: float | None = None, method: Method = "auto") -> RankInfo:
    """Numerical rank of one 2-D matrix under the policy of this module."""
    return numerical_rank_batched(_as_matrix(matrix).unsqueeze(0), rtol=rtol, method=method)[0]


def numerical_rank_batched(
    matrices: torch.Tensor, rtol: float | None = None, method: Method = "auto"
) -> list[RankInfo]:
    """Numerical ranks of a stack ``(B, m, n)`` of matrices (e.g. the groups of a grouped convolution)."""
    if matrices.ndim != 3:
        raise InvalidInputError(f"expected a (B, m, n) stack of matrices, got shape {tuple(matrices.shape)}")
    _check_finite(matrices)
    batch, m, n = matrices.shape
    rtol_ = default_rtol((m, n), matrices.dtype) if rtol is None else float(rtol)
    if method == "svd" or min(m, n) == 0:
        return [_from_svd(w, rtol_) for w in matrices]
    if method not in ("auto", "gram"):
        raise InvalidInputError(f"unknown rank method {method!r}; use auto, gram or svd")
    w64 = matrices.detach().to(device=matrices.device, dtype=torch.float64)
    gram = w64 @ w64.transpose(1, 2) if m <= n else w64.transpose(1, 2) @ w64
    eig = torch.linalg.eigvalsh(gram).flip(-1).clamp_min(0.0)  # descending, sigma^2
    k, inner = min(m, n), max(m, n)
    gamma = inner * _U64 / (1.0 - inner * _U64)
    frob2 = w64.pow(2).sum(dim=(1, 2))
    delta = gamma * frob2 + 10.0 * k * _U64 * eig[:, 0]
    results = []
    for b in range(batch):
        lam, d = eig[b].cpu(), float(delta[b])
        tau2 = (rtol_ * math.sqrt(float(lam[0]))) ** 2
        if float(frob2[b]) == 0.0:  # the zero matrix: exactly rank 0, nothing to confirm
            ambiguous = False
        else:
            ambiguous = bool(((lam - tau2).abs() <= d).any()) or tau2 <= d
        if ambiguous and method == "auto":
            results.append(_from_svd(matrices[b], rtol_))
        else:
            results.append(_summarise(lam.sqrt(), m, n, rtol_, resolution=math.sqrt(d), method="gram-fp64"))
    return results


def reference_rank(matrix: torch.Tensor, rtol: float | None = None) -> RankInfo:
    """The slow, obviously right reference: all singular values by an fp64 SVD."""
    return numerical_rank(matrix, rtol=rtol, method="svd")


def null_space(matrix: torch.Tensor, rtol: float | None = None) -> torch.Tensor:
    """Orthonormal basis ``(cols, nullity)`` of ``{x : W x = 0}`` in fp64 (right singular vectors)."""
    w = _as_matrix(matrix)
    _check_finite(w.unsqueeze(0))
    m, n = w.shape
    rtol_ = default_rtol((m, n), w.dtype) if rtol is None else float(rtol)
    _, s, vh = torch.linalg.svd(w.detach().to(torch.float64), full_matrices=True)
    tau = rtol_ * float(s[0]) if s.numel() else 0.0
    rank = int((s > tau).sum())
    return vh[rank:].transpose(0, 1).contiguous()


def _from_svd(matrix: torch.Tensor, rtol: float) -> RankInfo:
    m, n = matrix.shape
    sigma = torch.linalg.svdvals(matrix.detach().to(torch.float64)).cpu()
    return _summarise(sigma, m, n, rtol, resolution=0.0, method="svd-fp64")


def _summarise(sigma: torch.Tensor, m: int, n: int, rtol: float, resolution: float, method: str) -> RankInfo:
    """Turn descending singular values into a :class:`RankInfo`."""
    sigma_max = float(sigma[0]) if sigma.numel() else 0.0
    tau = rtol * sigma_max
    above = sigma[sigma > tau]
    below = sigma[sigma <= tau]
    rank = int(above.numel()) if sigma_max > 0 else 0
    s_above = float(above[-1]) if rank else None
    s_below = float(below[0]) if below.numel() else None
    gap = None
    if s_above is not None and s_below is not None:
        gap = None if s_below == 0 else s_above / s_below
    return RankInfo(
        rows=m,
        cols=n,
        rank=rank,
        nullity=n - rank,
        structural_nullity=max(n - m, 0),
        sigma_max=sigma_max,
        sigma_min=float(sigma[-1]) if sigma.numel() else 0.0,
        tolerance=tau,
        rtol=rtol,
        sigma_below_cut=s_below,
        sigma_above_cut=s_above,
        gap=gap,
        resolution=resolution,
        method=method,
    )


def _as_matrix(matrix: torch.Tensor) -> torch.Tensor:
    if not isinstance(matrix, torch.Tensor) or matrix.ndim != 2:
        shape = tuple(matrix.shape) if isinstance(matrix, torch.Tensor) else type(matrix).__name__
        raise InvalidInputError(f"expected a 2-D matrix [m, n], got {shape}")
    return matrix


def _check_finite(matrices: torch.Tensor) -> None:
    if not torch.isfinite(matrices).all():
        bad = int((~torch.isfinite(matrices)).sum())
        from .errors import NonFiniteWeightError

        raise NonFiniteWeightError(f"matrix holds {bad} NaN/Inf value(s)")

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

Fast path (``method="auto"``): the eigenvalues of the Gram matrix of the
smaller side, ``W W^T`` or ``W^T W`` (k x k, k = min(m, n)), first in fp32,
then in fp64.  Weyl's inequality bounds every computed eigenvalue's error by

    delta = gamma_n * ||W||_F^2 + 10 * k * u * ||G||_2,   gamma_n = n u / (1 - n u)

with ``u`` the unit roundoff of the Gram's precision (the first term bounds the
product's rounding, the second the symmetric eigensolver's backward error).
A matrix is decided at a precision when every eigenvalue lies farther than
``delta`` from the cut (allowing for the cut's own uncertainty through
``sigma_max``).  The fp32 tier is tried only where its bound can be smaller
than the average eigenvalue (``n * u32 * k < 1/2``: small and medium layers);
undecided matrices go to the fp64 Gram, whose products of fp32 entries are
exact, and those still "near the cut" (or stored in fp64, whose cut lies below
any Gram's resolution) are confirmed by an fp64 SVD of the matrix, the
reference (``method="svd"``).  ``method="gram"`` forces the fp64 Gram alone.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Literal, Mapping

import torch

from .errors import InvalidInputError

Method = Literal["auto", "certify", "gram", "svd"]

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
    ``method="certify"`` proves full ranks without computing singular values: there
    ``sigma_*``, ``tolerance`` and ``gap`` are None.
    """

    rows: int
    cols: int
    rank: int
    nullity: int
    structural_nullity: int
    sigma_max: float | None
    sigma_min: float | None
    tolerance: float | None
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
    matrices: torch.Tensor, rtol: float | None = None, method: Method = "auto", check_finite: bool = True
) -> list[RankInfo]:
    """Numerical ranks of a stack ``(B, m, n)`` of matrices (e.g. the groups of a grouped convolution)."""
    if matrices.ndim != 3:
        raise InvalidInputError(f"expected a (B, m, n) stack of matrices, got shape {tuple(matrices.shape)}")
    if check_finite:
        require_finite(matrices)
    batch, m, n = matrices.shape
    rtol_ = default_rtol((m, n), matrices.dtype) if rtol is None else float(rtol)
    if method == "svd" or min(m, n) == 0:
        return [_from_svd(w, rtol_) for w in matrices]
    if method not in ("auto", "certify", "gram"):
        raise InvalidInputError(f"unknown rank method {method!r}; use auto, certify, gram or svd")
    results: list[RankInfo | None] = [None] * batch
    # Zero matrices are rank 0 from the stored weights themselves (a zero computed spectrum may be underflow);
    # they carry the name of the first tier, which is exact for them.
    first_tier = torch.float32 if method != "gram" and _fp32_tier_useful(matrices) else torch.float64
    nonzero = matrices.detach().flatten(1).ne(0).any(dim=1).tolist()
    for b in (b for b in range(batch) if not nonzero[b]):
        zeros = torch.zeros(min(m, n), dtype=torch.float64)
        results[b] = _summarise(zeros, m, n, rtol_, resolution=0.0, method=f"gram-{_short(first_tier)}")
    pending = [b for b in range(batch) if nonzero[b]]
    if method == "certify":
        pending = _certify_full_rank(matrices, rtol_, results, pending)
        method = "auto"
    tiers = [torch.float64] if method == "gram" else [torch.float32, torch.float64]
    for precision in tiers:
        if not pending or (precision == torch.float32 and not _fp32_tier_useful(matrices)):
            continue
        lam, delta = _gram_spectrum(matrices[pending], precision)
        still = []
        for row, b in enumerate(pending):
            if method == "gram" or _decided(lam[row], float(delta[row]), rtol_):
                name = f"gram-{_short(precision)}"
                results[b] = _summarise(lam[row].sqrt(), m, n, rtol_, resolution=math.sqrt(float(delta[row])), method=name)
            else:
                still.append(b)
        pending = still
    for b in pending:  # near the cut at every Gram precision: the fp64 SVD decides
        results[b] = _from_svd(matrices[b], rtol_)
    return results  # type: ignore[return-value]


def _certify_full_rank(
    matrices: torch.Tensor, rtol: float, results: list[RankInfo | None], pending: list[int]
) -> list[int]:
    """Rank ``k = min(m, n)`` proved by a Cholesky factorisation, without eigenvalues; fills ``results``.

    With ``G`` the computed Gram matrix (error ``<= delta``, as in :func:`_gram_spectrum`) and
    ``t >= tau^2`` (from ``lambda_max <= min(||G||_inf + delta, ||W||_F^2)``), a successful fp64
    Cholesky of ``G - (t + delta + eta) I`` (``eta`` bounding its own backward error) proves every
    exact eigenvalue ``> tau^2``.  Ranks only: no singular value is reported (None).  Tried with an
    fp32 Gram where useful, then fp64; returns the indices of ``pending`` it could not certify.
    """
    _, m, n = matrices.shape
    k, inner = min(m, n), max(m, n)
    precisions = ([torch.float32] if _fp32_tier_useful(matrices) else []) + [torch.float64]
    for precision in precisions:
        if not pending:
            break
        subset = matrices if len(pending) == len(matrices) else matrices[pending]
        gram = _gram(subset, precision).to(torch.float64)
        u = torch.finfo(precision).eps / 2
        frob2 = _frobenius2_upper(gram, inner, u)
        delta = _gamma(inner, u) * frob2
        eta = 10.0 * (k + 1) * _U64 * k * frob2  # Cholesky backward error (||G|| <= ||W||_F^2)
        lam_max_high = torch.minimum(gram.abs().sum(dim=2).amax(dim=1) + delta, frob2)
        shift = rtol**2 * lam_max_high + delta + eta
        _, info = torch.linalg.cholesky_ex(gram - shift.view(-1, 1, 1) * torch.eye(k, dtype=torch.float64, device=gram.device))
        still = []
        for row, b in enumerate(pending):
            if int(info[row]) != 0:
                still.append(b)
                continue
            results[b] = RankInfo(rows=m, cols=n, rank=k, nullity=n - k, structural_nullity=max(n - m, 0),
                                  sigma_max=None, sigma_min=None, tolerance=None, rtol=rtol, sigma_below_cut=None,
                                  sigma_above_cut=None, gap=None, resolution=math.sqrt(float(delta[row])),
                                  method=f"cholesky-{_short(precision)}")
        pending = still
    return pending


def _short(dtype: torch.dtype) -> str:
    return "fp32" if dtype == torch.float32 else "fp64"


def _gram_spectrum(matrices: torch.Tensor, precision: torch.dtype) -> tuple[torch.Tensor, torch.Tensor]:
    """Eigenvalues (descending, fp64, on the CPU) of the Gram matrices of the smaller side, and Weyl error bounds.

    ``delta = gamma_n(u) * ||W||_F^2 + 10 * k * u * lambda_max``: the rounding of
    the Gram product in ``precision`` (unit roundoff ``u``, inner dimension ``n``;
    exact products of fp32 entries in fp64 make it a bound on the summation only)
    plus the symmetric eigensolver's backward error.
    """
    _, m, n = matrices.shape
    k, inner = min(m, n), max(m, n)
    gram = _gram(matrices, precision)
    lam = torch.linalg.eigvalsh(gram).flip(-1).to(torch.float64).clamp_min(0.0).cpu()
    u = torch.finfo(precision).eps / 2
    frob2 = _frobenius2_upper(gram.to(torch.float64), inner, u).cpu()
    return lam, _gamma(inner, u) * frob2 + 10.0 * k * u * lam[:, 0]


def _gram(matrices: torch.Tensor, precision: torch.dtype) -> torch.Tensor:
    """``W W^T`` or ``W^T W`` of each matrix of a stack, whichever is smaller, computed in ``precision``."""
    w = matrices.detach().to(precision)
    return w @ w.transpose(1, 2) if w.shape[1] <= w.shape[2] else w.transpose(1, 2) @ w


def _gamma(n: int, u: float) -> float:
    """The standard rounding bound ``gamma_n = n u / (1 - n u)`` of a length-``n`` dot product."""
    return n * u / (1.0 - n * u)


def _frobenius2_upper(gram: torch.Tensor, inner: int, u: float) -> torch.Tensor:
    """An upper bound of ``||W||_F^2`` from the computed Gram's trace: each diagonal entry is a sum of
    squares (relative rounding error at most ``gamma_n``), summed again in fp64."""
    k = gram.shape[-1]
    return gram.diagonal(dim1=1, dim2=2).sum(dim=1) / ((1.0 - _gamma(inner, u)) * (1.0 - k * _U64))


def _fp32_tier_useful(matrices: torch.Tensor) -> bool:
    """The fp32 Gram can certify a rank only if its error bound is below the average eigenvalue ``||W||_F^2 / k``.

    Only for weights exactly representable in fp32, and off where fp32 matmuls may run in TF32 (CUDA with
    ``allow_tf32``): either rounding would fall outside the bound.
    """
    if matrices.dtype not in (torch.float32, torch.float16, torch.bfloat16):
        return False  # fp64 weights would be rounded on the way in, outside the bound
    if matrices.device.type == "cuda" and torch.backends.cuda.matmul.allow_tf32:
        return False
    _, m, n = matrices.shape
    u = torch.finfo(torch.float32).eps / 2
    return max(m, n) * u * min(m, n) < 0.5


def _decided(lam: torch.Tensor, delta: float, rtol: float) -> bool:
    """Every eigenvalue surely on one side of the cut ``tau^2 = (rtol * sigma_max)^2``, given errors ``<= delta``.

    A computed spectrum of zeros decides nothing: the weights are not zero (those are settled before), so the
    products underflowed; the next tier recomputes them.
    """
    if float(lam[0]) == 0.0:
        return False
    tau2_low = rtol**2 * max(float(lam[0]) - delta, 0.0)
    tau2_high = rtol**2 * (float(lam[0]) + delta)
    return bool(((lam - delta > tau2_high) | (lam + delta < tau2_low)).all())


def reference_rank(matrix: torch.Tensor, rtol: float | None = None) -> RankInfo:
    """The slow, obviously right reference: all singular values by an fp64 SVD."""
    return numerical_rank(matrix, rtol=rtol, method="svd")


@dataclass(frozen=True)
class SubspaceSplit:
    """``R^cols`` split by one fp64 SVD: orthonormal bases of the row space ``(cols, rank)`` and of the null space
    ``(cols, cols - rank)``, the singular values (descending) and the cut ``tolerance`` that decided the rank."""

    row: torch.Tensor
    null: torch.Tensor
    sigma: torch.Tensor
    tolerance: float

    @property
    def rank(self) -> int:
        return self.row.shape[1]


def split_spaces(matrix: torch.Tensor, rtol: float | None = None) -> SubspaceSplit:
    """Row space and null space of ``matrix`` from one fp64 SVD (rank: ``sigma > rtol * sigma_max``)."""
    w = _as_matrix(matrix)
    require_finite(w.unsqueeze(0))
    m, n = w.shape
    rtol_ = default_rtol((m, n), w.dtype) if rtol is None else float(rtol)
    _, s, vh = torch.linalg.svd(w.detach().to(torch.float64), full_matrices=True)
    tau = rtol_ * float(s[0]) if s.numel() else 0.0
    rank = int((s > tau).sum())
    v = vh.transpose(0, 1)
    return SubspaceSplit(v[:, :rank].contiguous(), v[:, rank:].contiguous(), s, tau)


def separable_null_projection(x: torch.Tensor, row_h: torch.Tensor, row_w: torch.Tensor) -> torch.Tensor:
    """``x`` ``(..., H, W)`` projected onto the null space of ``X -> A_h X A_w^T``: ``x - Q_h Q_h^T x Q_w Q_w^T``, with
    ``row_h`` / ``row_w`` orthonormal bases ``Q`` of the row spaces of ``A_h`` / ``A_w`` (a downsampler, a resize)."""
    qh, qw = row_h.to(x), row_w.to(x)
    return x - qh @ (qh.transpose(0, 1) @ x @ qw) @ qw.transpose(0, 1)


def null_space(matrix: torch.Tensor, rtol: float | None = None) -> torch.Tensor:
    """Orthonormal basis ``(cols, nullity)`` of ``{x : W x = 0}`` in fp64 (right singular vectors)."""
    return split_spaces(matrix, rtol).null


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


def require_finite(tensors: torch.Tensor | Mapping[str, torch.Tensor], owner: str = "matrix") -> None:
    """Raise :class:`~nullsight.errors.NonFiniteWeightError` if any value is NaN/Inf, naming each bad tensor.

    ``tensors``: one tensor, or ``{name: tensor}`` (a model's weights: the message lists the first five names).
    One cheap pass (a sum, through which NaN/Inf propagate) when everything is finite, the usual case.
    """
    from .errors import NonFiniteWeightError

    named = {owner: tensors} if isinstance(tensors, torch.Tensor) else dict(tensors)
    bad = [(name, int((~torch.isfinite(t)).sum())) for name, t in named.items()
           if t.is_floating_point() and not torch.isfinite(t.sum()) and not torch.isfinite(t).all()]
    if not bad:
        return
    if isinstance(tensors, torch.Tensor):
        raise NonFiniteWeightError(f"{owner} holds {bad[0][1]} NaN/Inf value(s)")
    listed = ", ".join(f"{n} ({c} value{'s' if c > 1 else ''})" for n, c in bad[:5])
    more = f" and {len(bad) - 5} more" if len(bad) > 5 else ""
    raise NonFiniteWeightError(f"{owner}: NaN/Inf in {len(bad)} tensor(s): {listed}{more}")

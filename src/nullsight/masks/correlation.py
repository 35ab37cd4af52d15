"""Correlation between two sets of masks (seed 003, Sec. 3.2): SVCCA, cosine similarity and IdCor.

* SVCCA (Raghu et al. 2017): PCA of each set to the components explaining ``keep`` of its variance, then CCA;
  the coefficient is the mean canonical correlation (the linear baseline of Table 1).
* Cosine similarity: per pair of masks (row i of X with row i of Y), reported as mean +- std.
* IdCor (Basile et al. 2024): with ``I_d`` the TwoNN intrinsic dimension of the standardised, row-normalised
  sets, ``IdCor = (I_d(X) + I_d(Y) - I_d([X, Y])) / max(I_d(X), I_d(Y))``; the p-value of the permutation test
  is ``(#{perm: I_d([X, Y_perm]) < I_d([X, Y])} + 1) / (n_perm + 1)``.  The point estimates use scikit-dimension's
  ``TwoNN``; the permutations use :func:`twonn_from_sq_distances`, the same estimator vectorised over
  permutations (the joint squared distance is ``D_X^2 + P D_Y^2 P^T``, so no joint data set is rebuilt).

Whether the numbers mean anything at the N at hand (issue 20): each TwoNN estimate is repeated on random halves
(:func:`dimension_check`: converged when N/2 and N agree within 10%) and on i.i.d. Gaussian data of the same N and
ambient dimension; SVCCA and IdCor carry their shuffled-pair nulls (:func:`svcca_null`, :attr:`IdCor.null`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..errors import InvalidInputError
from .result import IntrinsicDimension, Spread

DISCARD_FRACTION = 0.1  # TwoNN's heuristic (Facco et al. 2017), scikit-dimension's default
CONVERGED_WITHIN = 0.10  # TwoNN at N/2 within 10% of TwoNN at N
SVCCA_NULL_DRAWS = 50
CHUNK_ENTRIES = 50_000_000  # joint distance entries held at once by the permutation test (400 MB in fp64)


def spread(values: np.ndarray | torch.Tensor) -> Spread:
    """Mean and central 95% range of draws from a null distribution."""
    v = np.asarray(values, dtype=np.float64)
    low, high = np.percentile(v, [2.5, 97.5])
    return Spread(float(v.mean()), float(low), float(high), len(v))


def _pairs(x: np.ndarray | torch.Tensor, y: np.ndarray | torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype=np.float64).reshape(len(x), -1)
    y = np.asarray(y, dtype=np.float64).reshape(len(y), -1)
    if len(x) != len(y):
        raise InvalidInputError(f"paired data sets need the same number of rows, got {len(x)} and {len(y)}")
    if len(x) < 4:
        raise InvalidInputError(f"correlation needs at least 4 pairs, got {len(x)}")
    return x, y


def cosine_similarity(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Cosine similarity of each pair ``(x_i, y_i)`` (same feature space), shape (N,)."""
    x, y = _pairs(x, y)
    if x.shape[1] != y.shape[1]:
        raise InvalidInputError("cosine similarity needs vectors of the same dimension")
    norms = np.linalg.norm(x, axis=1) * np.linalg.norm(y, axis=1)
    return np.divide((x * y).sum(1), norms, out=np.zeros(len(x)), where=norms > 0)


def _pca(x: np.ndarray, keep: float) -> np.ndarray:
    x = x - x.mean(0)
    u, s, _ = np.linalg.svd(x, full_matrices=False)
    energy = np.cumsum(s**2) / max(float((s**2).sum()), 1e-300)
    k = int(np.searchsorted(energy, keep) + 1)
    return u[:, :k] * s[:k]


def _basis(a: np.ndarray) -> np.ndarray:
    """An orthonormal basis of the centred columns' span (rank decided at fp64 precision)."""
    a = a - a.mean(0)
    u, s, _ = np.linalg.svd(a, full_matrices=False)
    return u[:, s > s[0] * max(a.shape) * np.finfo(float).eps] if s.size and s[0] > 0 else u[:, :0]


def canonical_correlations(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """CCA (Hotelling 1936) of centred ``x`` and ``y`` via orthonormal bases: singular values of Q_x^T Q_y."""
    qx, qy = _basis(x), _basis(y)
    return np.clip(np.linalg.svd(qx.T @ qy, compute_uv=False), 0.0, 1.0)


def _svcca_scores(x: np.ndarray, y: np.ndarray, keep: float, max_dims: int | None) -> tuple[np.ndarray, np.ndarray]:
    x, y = _pairs(x, y)
    cap = max_dims if max_dims is not None else max(1, len(x) // 4)
    return _pca(x, keep)[:, :cap], _pca(y, keep)[:, :cap]


def svcca(x: np.ndarray, y: np.ndarray, keep: float = 0.99, max_dims: int | None = None) -> float:
    """Mean SVCCA correlation: PCA keeping ``keep`` of the variance (at most ``max_dims``, default N // 4 so that
    the CCA is not trivially 1 with as many dimensions as points), then CCA."""
    rho = canonical_correlations(*_svcca_scores(x, y, keep, max_dims))
    return float(rho.mean()) if rho.size else 0.0


def svcca_null(x: np.ndarray, y: np.ndarray, draws: int = SVCCA_NULL_DRAWS, seed: int = 0, keep: float = 0.99,
               max_dims: int | None = None) -> Spread:
    """SVCCA of shuffled pairs (``x`` with row-permuted ``y``): what SVCCA gives with no pairing at all.

    Independent sets are far from 0 here: with p = q = N/4 kept components, random subspaces give a mean squared
    canonical correlation of p / (N - 1), so a mean correlation near 0.45.  PCA commutes with a row permutation, so
    each draw permutes the kept scores' orthonormal basis and takes one small SVD.
    """
    px, py = _svcca_scores(x, y, keep, max_dims)
    qx, qy = _basis(px), _basis(py)
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(draws):
        rho = np.clip(np.linalg.svd(qx.T @ qy[rng.permutation(len(qy))], compute_uv=False), 0.0, 1.0)
        values.append(float(rho.mean()) if rho.size else 0.0)
    return spread(values)


def idcor_preprocess(x: np.ndarray) -> np.ndarray:
    """Standardise each feature (constant features become 0), then scale each row to unit norm (as IdCor's authors)."""
    x = x - x.mean(0)
    std = x.std(0)
    x = np.divide(x, std, out=np.zeros_like(x), where=std > 0)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return np.divide(x, norms, out=np.zeros_like(x), where=norms > 0)


class TooFewDistinctPoints(InvalidInputError):
    """TwoNN had fewer than two points left once the duplicates (zero nearest-neighbour distance) were dropped."""


def twonn(x: np.ndarray) -> float:
    """TwoNN intrinsic dimension (Facco et al. 2017) from scikit-dimension (linear fit, 10% largest ratios dropped)."""
    import warnings

    import skdim

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return float(skdim.id.TwoNN(discard_fraction=DISCARD_FRACTION).fit(np.asarray(x, dtype=np.float64))
                         .dimension_)
        except ValueError as exc:
            if "Fewer than 2 points" not in str(exc):
                raise
            raise TooFewDistinctPoints(f"TwoNN cannot estimate a dimension from {len(x)} points: fewer than 2 are "
                                       "left once duplicate points are dropped (identical masks?)") from None


def sq_distances(x: np.ndarray | torch.Tensor) -> torch.Tensor:
    """Squared Euclidean distances (N, N), fp64."""
    t = torch.as_tensor(np.asarray(x), dtype=torch.float64)
    g = t @ t.T
    d = g.diagonal()
    return (d[:, None] + d[None, :] - 2 * g).clamp_min(0.0)


def twonn_from_sq_distances(d2: torch.Tensor) -> torch.Tensor:
    """TwoNN on (P, N, N) squared distance matrices at once (same estimator as scikit-dimension's): (P,) dimensions.

    Points with a zero nearest-neighbour distance (duplicates) are dropped as scikit-dimension drops them.
    """
    if d2.ndim == 2:
        d2 = d2[None]
    p, n, _ = d2.shape
    eye = torch.eye(n, dtype=torch.bool, device=d2.device)
    two = torch.topk(d2.masked_fill(eye, float("inf")), 2, dim=2, largest=False).values.sqrt()
    mu = two[..., 1] / two[..., 0]
    finite = torch.isfinite(mu)
    counts = finite.sum(1)
    log_mu = torch.where(finite, mu, torch.full_like(mu, float("inf"))).log().sort(dim=1).values
    dims = torch.empty(p, dtype=torch.float64, device=d2.device)
    for count in counts.unique().tolist():  # usually one group: no duplicates
        rows = counts == count
        keep = int(count * (1 - DISCARD_FRACTION))
        xs = log_mu[rows, :keep]
        ys = -torch.log1p(-torch.arange(1, keep + 1, dtype=torch.float64, device=d2.device) / count)
        dims[rows] = (xs * ys).sum(1) / (xs * xs).sum(1)
    return dims


def _halves_twonn(d2: torch.Tensor, generator: torch.Generator) -> float:
    """Mean TwoNN of the two halves of a random split, from the full squared distances."""
    order = torch.randperm(len(d2), generator=generator)
    halves = order[: len(d2) // 2], order[len(d2) // 2 : 2 * (len(d2) // 2)]
    return float(torch.stack([twonn_from_sq_distances(d2[h][:, h])[0] for h in halves]).mean())


def dimension_check(sets: list[np.ndarray], d2: torch.Tensor, full: float, seed: int = 0) -> IntrinsicDimension:
    """TwoNN of the concatenation of the preprocessed ``sets`` (one set, or the joint ``[X, Y]``), whose squared
    distances are ``d2`` and full-size estimate ``full``: at N/2 (two random halves, seeded), converged when within
    10% of ``full``, and on i.i.d. Gaussian data of the same shapes preprocessed the same way (N >= 8)."""
    n = len(d2)
    if n < 8:
        raise InvalidInputError(f"a TwoNN convergence check needs at least 8 points, got {n}")
    generator = torch.Generator().manual_seed(seed)
    half = _halves_twonn(d2, generator)
    rng = np.random.default_rng(seed)
    gaussian = np.concatenate([idcor_preprocess(rng.standard_normal(s.shape)) for s in sets], axis=1)
    reference = float(twonn_from_sq_distances(sq_distances(gaussian))[0])
    converged = abs(full - half) <= CONVERGED_WITHIN * abs(full)
    return IntrinsicDimension(n, sum(s.shape[1] for s in sets), full, half, bool(converged), reference)


def dimension_checks(x: np.ndarray, y: np.ndarray, seed: int = 0) -> tuple[IntrinsicDimension, ...]:
    """:func:`dimension_check` for IdCor's three estimates: ``X``, ``Y`` and ``[X, Y]`` (raw pairs, preprocessed here)."""
    x, y = _pairs(x, y)
    x, y = idcor_preprocess(x), idcor_preprocess(y)
    dx2, dy2 = sq_distances(x), sq_distances(y)
    dj2 = dx2 + dy2
    full = twonn_from_sq_distances(torch.stack([dx2, dy2, dj2]))
    return (dimension_check([x], dx2, float(full[0]), seed), dimension_check([y], dy2, float(full[1]), seed + 1),
            dimension_check([x, y], dj2, float(full[2]), seed + 2))


@dataclass(frozen=True)
class IdCor:
    """IdCor's coefficient and permutation p-value, with the intrinsic dimensions behind them and the null:
    ``null`` is IdCor of the shuffled pairs, ``joint_null`` their joint TwoNN (None without permutations)."""

    coefficient: float
    p_value: float
    id_x: float
    id_y: float
    id_joint: float
    n_permutations: int
    null: Spread | None = None
    joint_null: Spread | None = None


def permutation_ids(dx2: torch.Tensor, dy2: torch.Tensor, permutations: torch.Tensor, chunk: int = 64) -> torch.Tensor:
    """TwoNN of the joint set ``[X, Y[perm]]`` for each row of ``permutations`` (P, N), vectorised in chunks."""
    out = []
    for i in range(0, len(permutations), chunk):
        perm = permutations[i : i + chunk]
        joint = dx2[None] + dy2[perm[:, :, None], perm[:, None, :]]
        out.append(twonn_from_sq_distances(joint))
    return torch.cat(out) if out else torch.empty(0, dtype=torch.float64)


def permutation_ids_loop(x: np.ndarray, y: np.ndarray, permutations: torch.Tensor) -> torch.Tensor:
    """The slow reference: rebuild ``[X, Y[perm]]`` and run scikit-dimension's TwoNN for each permutation."""
    return torch.tensor([twonn(np.concatenate([x, y[p.numpy()]], axis=1)) for p in permutations], dtype=torch.float64)


def idcor(x: np.ndarray, y: np.ndarray, n_permutations: int = 100, seed: int = 0) -> IdCor:
    """IdCor between paired data sets ``x`` (N, ...) and ``y`` (N, ...) with its permutation test (N >= 4)."""
    x, y = _pairs(x, y)
    x, y = idcor_preprocess(x), idcor_preprocess(y)
    id_x, id_y = twonn(x), twonn(y)
    id_joint = twonn(np.concatenate([x, y], axis=1))
    coefficient = (id_x + id_y - id_joint) / max(id_x, id_y)
    if n_permutations <= 0:
        return IdCor(float(coefficient), float("nan"), id_x, id_y, float(id_joint), 0)
    generator = torch.Generator().manual_seed(seed)
    perms = torch.stack([torch.randperm(len(x), generator=generator) for _ in range(n_permutations)])
    shuffled = permutation_ids(sq_distances(x), sq_distances(y), perms, chunk=max(1, CHUNK_ENTRIES // len(x) ** 2))
    p_value = float(((shuffled < id_joint).sum().item() + 1) / (n_permutations + 1))
    null = spread((id_x + id_y - shuffled) / max(id_x, id_y))
    return IdCor(float(coefficient), p_value, id_x, id_y, float(id_joint), n_permutations, null, spread(shuffled))

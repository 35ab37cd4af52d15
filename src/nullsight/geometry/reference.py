"""Slow, obviously right references for the geometry solvers: one OSQP problem per point (qpsolvers).

Used by the tests and ``benchmarks/geometry.py`` only.  Hull projection (Eqs. 20-23) is
posed over ``(alpha, y)`` with ``y = D^T alpha`` so the matrix stays ``(d + 1) x (N + d)``
instead of the dense ``N x N`` Gram matrix.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..errors import InvalidInputError


def _solve(P, q, G=None, h=None, A=None, b=None, lb=None, eps: float = 1e-7) -> tuple[np.ndarray, str]:
    """OSQP's solution and status; an inaccurate one is returned with its status, a failure raises."""
    try:
        from qpsolvers import Problem, solve_problem
    except ImportError:
        raise InvalidInputError("the reference solvers need qpsolvers and osqp: pip install 'nullsight[geometry-ref]'") from None
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        solution = solve_problem(Problem(P, q, G, h, A, b, lb, None), solver="osqp", eps_abs=eps, eps_rel=eps,
                                 polishing=True, max_iter=100000, verbose=False)
    info = solution.extras.get("info")
    status = str(getattr(info, "status", "unknown"))
    if solution.x is None or not np.all(np.isfinite(solution.x)):
        raise RuntimeError(f"OSQP found no solution ({status})")
    return solution.x, status


def hull_projection_osqp(point: np.ndarray, points: np.ndarray, eps: float = 1e-6) -> tuple[np.ndarray, np.ndarray, str]:
    """``(x_h, alpha, status)``: projection of ``point`` (d,) onto ``conv(points)`` (N, d) by OSQP.

    ``x_h = alpha D`` from the weights clipped to the simplex, so it is a point of the hull whatever the status.
    """
    n, d = points.shape
    P = sp.block_diag([sp.csc_matrix((n, n)), sp.identity(d)], format="csc")
    q = np.concatenate([np.zeros(n), -point])
    A = sp.vstack([sp.hstack([sp.csc_matrix(points.T), -sp.identity(d)]),
                   sp.hstack([sp.csc_matrix(np.ones((1, n))), sp.csc_matrix((1, d))])], format="csc")
    b = np.concatenate([np.zeros(d), [1.0]])
    lb = np.concatenate([np.zeros(n), np.full(d, -np.inf)])
    z, status = _solve(P, q, A=A, b=b, lb=lb, eps=eps)
    alpha = np.clip(z[:n], 0, None)
    alpha /= alpha.sum()
    return alpha @ points, alpha, status


def flip_point_osqp(x: np.ndarray, W: np.ndarray, b: np.ndarray, i: int, j: int, nonneg: bool = True,
                    eps: float = 1e-7) -> np.ndarray:
    """Closest point to ``x`` with ``z_i = z_j >= z_k`` (Eqs. 7-10) for ``z = W y + b``, ``W`` (n, f), by OSQP."""
    n, f = W.shape
    others = [k for k in range(n) if k not in (i, j)]
    A = (W[i] - W[j])[None, :]
    beq = np.array([b[j] - b[i]])
    G = np.stack([W[k] - W[i] for k in others]) if others else None
    h = np.array([b[i] - b[k] for k in others]) if others else None
    return _solve(sp.identity(f, format="csc"), -x, G=None if G is None else sp.csc_matrix(G), h=h,
                  A=sp.csc_matrix(A), b=beq, lb=np.zeros(f) if nonneg else None, eps=eps)[0]

"""Closest flip points in feature space, batched over inputs and class pairs (seed 002, Eqs. 5-12).

For a feature vector ``x`` classified ``i`` by ``z = W y + b`` (``W`` is ``(n, f)``, PyTorch's
``Linear`` layout), the flip point towards class ``j`` is

    argmin ||y - x||^2  s.t.  z_i(y) = z_j(y),  z_i(y) >= z_k(y) for k not in {i, j},  y >= 0 (Eq. 10, optional).

All ``Q * (n - 1)`` problems are solved at once through their dual: with the
``n - 1`` multipliers ``mu`` of the general constraints, the ``y >= 0`` bound is
handled exactly by ``y(mu) = [x - A^T mu]_+``, and the dual
``min_mu 1/2 ||[x - A^T mu]_+||^2 + c^T mu`` (``mu >= 0`` but on the equality row)
is a small piecewise-quadratic problem solved by projected Newton steps with a
vectorised Armijo search.  Each problem reports its KKT residual; a pair whose
flip region is empty (the dual is unbounded) is reported ``infeasible`` with an
infinite distance, one that did not reach the tolerance ``converged = False``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ..errors import InvalidInputError

_MAX_HALVINGS = 40


@dataclass
class FlipPoints:
    """Flip points ``x^{f(i,j),c}`` (Eq. 9), margins ``d^{f(i,j)}`` (Eq. 11) and their certificates."""

    classes: torch.Tensor  # (Q,) i = argmax z(x)
    points: torch.Tensor  # (Q, n, f) flip point towards each class j (x itself at j = i, NaN where infeasible)
    distance: torch.Tensor  # (Q, n) margins; +inf at j = i and where no flip point exists
    kkt_residual: torch.Tensor  # (Q, n) relative KKT residual (0 at j = i)
    converged: torch.Tensor  # (Q, n) bool
    infeasible: torch.Tensor  # (Q, n) bool: z_i = z_j >= z_k has no (non-negative) solution
    nonneg: bool

    @property
    def min_distance(self) -> torch.Tensor:
        """``d^{f,min}`` (Eq. 12): the radius of the guaranteed ball ``B(x)``."""
        return self.distance.min(1).values

    @property
    def min_class(self) -> torch.Tensor:
        """The class whose decision boundary is closest."""
        return self.distance.min(1).indices


def lipschitz_constant(weight: torch.Tensor) -> float:
    """``sigma_max(W)``: the Lipschitz constant of ``z`` in feature space (Eq. 14)."""
    return float(torch.linalg.matrix_norm(weight.double(), ord=2))


class FlipPointSolver:
    """Closest flip points of a linear classifier head ``z = W y + b``: configured once, applied to batches.

    Args:
        weight: ``(n, f)``; bias: ``(n,)``.
        nonneg: impose ``y >= 0`` (Eq. 10; right for post-ReLU features).
        tol: relative KKT residual counted as converged.
        max_iter: projected Newton iterations.
        batch: inputs per chunk.

    Example:
        >>> W, b = torch.tensor([[1.0, 0.0], [0.0, 1.0]]), torch.zeros(2)
        >>> r = FlipPointSolver(W, b, nonneg=False)(torch.tensor([[2.0, 0.0]]))
        >>> round(float(r.distance[0, 1]), 6)  # |2 - 0| / sqrt(2)
        1.414214
    """

    def __init__(self, weight: torch.Tensor, bias: torch.Tensor, *, nonneg: bool = True, tol: float = 1e-9,
                 max_iter: int = 100, batch: int = 1024) -> None:
        if weight.ndim != 2 or bias.shape != (weight.shape[0],) or weight.shape[0] < 2:
            raise InvalidInputError(f"a classifier head needs W (n >= 2, f) and b (n,), got {tuple(weight.shape)} "
                                    f"and {tuple(bias.shape)}")
        self.W, self.b = weight.detach().double().cpu(), bias.detach().double().cpu()
        self.nonneg, self.tol, self.max_iter, self.batch = nonneg, tol, max_iter, batch

    def __repr__(self) -> str:
        n, f = self.W.shape
        return f"FlipPointSolver(n={n}, f={f}, nonneg={self.nonneg}, tol={self.tol}, max_iter={self.max_iter})"

    def __call__(self, features: torch.Tensor) -> FlipPoints:
        """Flip points for ``features`` ``(Q, f)``, each towards every other class."""
        if features.ndim != 2 or features.shape[1] != self.W.shape[1]:
            raise InvalidInputError(f"features must be (Q, {self.W.shape[1]}), got {tuple(features.shape)}")
        x = features.detach().double().cpu()
        parts = [self._solve(x[s:s + self.batch]) for s in range(0, x.shape[0], self.batch)]
        fields = [torch.cat([p[k] for p in parts]) for k in range(6)]
        return FlipPoints(*fields, nonneg=self.nonneg)

    def _solve(self, x: torch.Tensor):
        q, f = x.shape
        n = self.W.shape[0]
        m = n - 1
        cls = (x @ self.W.T + self.b).argmax(1)
        points = x[:, None].repeat(1, n, 1)
        distance = torch.full((q, n), float("inf"), dtype=torch.float64)
        residual = torch.zeros((q, n), dtype=torch.float64)
        converged = torch.ones((q, n), dtype=torch.bool)
        infeas = torch.zeros((q, n), dtype=torch.bool)
        for i in cls.unique().tolist():
            rows = (cls == i).nonzero().squeeze(1)
            ks = torch.cat([torch.arange(i), torch.arange(i + 1, n)])
            # rows k != i shared by every problem of class i: a_k = w_k - w_i, c_k = b_i - b_k; equality at k = j
            A = self.W[ks] - self.W[i]
            c = self.b[i] - self.b[ks]
            xx = x[rows][:, None].expand(-1, m, f).reshape(-1, f)
            eq = torch.eye(m, dtype=torch.bool).repeat(rows.numel(), 1)
            y, res, conv, bad = self._dual(xx, A, c, eq)
            dist = (y - xx).norm(dim=1).masked_fill(bad, float("inf"))
            y = y.masked_fill(bad[:, None], float("nan"))
            r_, k_ = rows[:, None].expand(-1, m), ks[None].expand(rows.numel(), -1)
            points[r_, k_] = y.reshape(-1, m, f)
            distance[r_, k_] = dist.reshape(-1, m)
            residual[r_, k_] = res.reshape(-1, m)
            converged[r_, k_] = conv.reshape(-1, m)
            infeas[r_, k_] = bad.reshape(-1, m)
        return cls, points, distance, residual, converged, infeas

    def _primal(self, x: torch.Tensor, A: torch.Tensor, mu: torch.Tensor) -> torch.Tensor:
        v = x - mu @ A
        return v.clamp_min(0) if self.nonneg else v

    def _dual(self, x: torch.Tensor, A: torch.Tensor, c: torch.Tensor, eq: torch.Tensor):
        """Projected Newton on ``h(mu) = 1/2 ||y(mu)||^2 + c^T mu`` (``mu >= 0`` off the equality row).

        ``x`` (B, f) with the shared constraints ``A`` (m, f), ``c`` (m,) and per-problem equality rows ``eq`` (B, m).
        """
        B, f = x.shape
        m = A.shape[0]
        mu = torch.zeros((B, m), dtype=torch.float64)
        scale = A.norm(dim=1).clamp_min(1e-300)  # row norms: residuals in feature-space distance units
        xnorm = x.norm(dim=1).clamp_min(1.0)
        eye = torch.eye(m, dtype=torch.float64)
        h = lambda y_, mu_: 0.5 * (y_ ** 2).sum(-1) + mu_ @ c  # noqa: E731
        for _ in range(self.max_iter):
            v = x - mu @ A
            y = v.clamp_min(0) if self.nonneg else v
            grad = c - y @ A.T
            fixed = ~eq & (mu <= 1e-12) & (grad > 0)
            pg = grad.masked_fill(fixed, 0.0)
            todo = ((pg.abs() / scale).amax(1) > self.tol * xnorm).nonzero().squeeze(1)
            if not todo.numel():
                break
            v, grad, fixed, ma, ea = v[todo], grad[todo], fixed[todo], mu[todo], eq[todo]
            d = (v > 0).double() if self.nonneg else torch.ones_like(v)
            H = (d[:, None, :] * A[None]) @ A.T
            free = (~fixed).double()
            H = H * free[:, :, None] * free[:, None, :] + torch.diag_embed(1 - free)
            ridge = 1e-12 * H.diagonal(dim1=1, dim2=2).amax(1).clamp_min(1e-300)
            H = H + ridge[:, None, None] * eye
            step = -torch.linalg.solve(H, (grad * free)[:, :, None]).squeeze(2)
            h0 = h(v.clamp_min(0) if self.nonneg else v, ma)
            # Armijo backtracking along the projected path mu(t) = P(mu + t step), only on rows still searching
            t = torch.ones_like(h0)
            new_mu = ma.clone()
            searching = torch.arange(todo.numel())
            for k in range(_MAX_HALVINGS):
                if not searching.numel():
                    break
                cand = ma[searching] + t[searching, None] * step[searching]
                cand = torch.where(ea[searching], cand, cand.clamp_min(0))
                hc = h(self._primal(x[todo[searching]], A, cand), cand)
                decrease = (grad[searching] * (cand - ma[searching])).sum(-1)
                ok = (hc <= h0[searching] + 1e-4 * decrease + 1e-15 * h0[searching].abs()) | (k == _MAX_HALVINGS - 1)
                new_mu[searching[ok]] = cand[ok]
                searching = searching[~ok]
                t[searching] *= 0.5
            mu[todo] = new_mu
        y = self._primal(x, A, mu)
        slack = y @ A.T - c  # <= 0 (== 0 on the equality row) at a feasible y
        viol = torch.where(eq, slack.abs(), slack.clamp_min(0))
        comp = torch.where(eq, torch.zeros_like(slack), (mu * slack).abs() / xnorm[:, None])
        residual = (torch.maximum(viol, comp) / scale).amax(1) / xnorm
        residual = residual.nan_to_num(nan=float("inf"))
        converged = residual <= 10 * self.tol
        # an empty flip region makes the dual unbounded: the multipliers run away and y stays infeasible
        runaway = ~torch.isfinite(mu).all(1) | (mu.abs().amax(1) > 1e6 * xnorm)
        infeasible = ~converged & runaway
        return y, residual, converged, infeasible

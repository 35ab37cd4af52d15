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

_STEPS = torch.tensor([0.5 ** k for k in range(0, 40)], dtype=torch.float64)


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
        cls = (x @ self.W.T + self.b).argmax(1)
        # rows k != i of every (input, j != i) problem: a_k = w_k - w_i, c_k = b_i - b_k, equality at k = j
        others = torch.stack([torch.cat([torch.arange(i), torch.arange(i + 1, n)]) for i in range(n)])  # (n, n-1)
        ks = others[cls]  # (q, n-1) class of each row
        js = ks  # the targets are the same n-1 classes
        A = self.W[ks] - self.W[cls][:, None, :]  # (q, m, f)
        c = self.b[cls][:, None] - self.b[ks]  # (q, m)
        m = n - 1
        A = A[:, None].expand(q, m, m, f).reshape(q * m, m, f)
        c = c[:, None].expand(q, m, m).reshape(q * m, m)
        eq = torch.eye(m, dtype=torch.bool)[None].expand(q, m, m).reshape(q * m, m)
        xx = x[:, None].expand(q, m, f).reshape(q * m, f)
        y, res, conv, infeasible = self._dual(xx, A, c, eq)
        dist = (y - xx).norm(dim=1).masked_fill(infeasible, float("inf"))
        y = y.masked_fill(infeasible[:, None], float("nan"))
        points = x[:, None].repeat(1, n, 1)
        distance = torch.full((q, n), float("inf"), dtype=torch.float64)
        residual = torch.zeros((q, n), dtype=torch.float64)
        converged = torch.ones((q, n), dtype=torch.bool)
        infeas = torch.zeros((q, n), dtype=torch.bool)
        rows = torch.arange(q)[:, None].expand(q, m)
        points[rows, js] = y.reshape(q, m, f)
        distance[rows, js] = dist.reshape(q, m)
        residual[rows, js] = res.reshape(q, m)
        converged[rows, js] = conv.reshape(q, m)
        infeas[rows, js] = infeasible.reshape(q, m)
        return cls, points, distance, residual, converged, infeas

    def _primal(self, x: torch.Tensor, A: torch.Tensor, mu: torch.Tensor) -> torch.Tensor:
        v = x - torch.einsum("bmf,bm->bf", A, mu)
        return v.clamp_min(0) if self.nonneg else v

    def _dual(self, x: torch.Tensor, A: torch.Tensor, c: torch.Tensor, eq: torch.Tensor):
        """Projected Newton on ``h(mu) = 1/2 ||y(mu)||^2 + c^T mu`` with ``mu >= 0`` off the equality row."""
        B, m, f = A.shape
        mu = torch.zeros((B, m), dtype=torch.float64)
        scale = A.norm(dim=2).clamp_min(1e-300)  # row norms: residuals in feature-space distance units
        xnorm = x.norm(dim=1).clamp_min(1.0)
        h = lambda mu_: 0.5 * (self._primal(x, A, mu_) ** 2).sum(-1) + (c * mu_).sum(-1)  # noqa: E731
        active = torch.arange(B)
        eye = torch.eye(m, dtype=torch.float64)
        for _ in range(self.max_iter):
            if not active.numel():
                break
            Aa, ca, ea, ma, xa = A[active], c[active], eq[active], mu[active], x[active]
            v = xa - torch.einsum("bmf,bm->bf", Aa, ma)
            y = v.clamp_min(0) if self.nonneg else v
            grad = ca - torch.einsum("bmf,bf->bm", Aa, y)
            fixed = ~ea & (ma <= 1e-12) & (grad > 0)
            pg = grad.masked_fill(fixed, 0.0)
            done = (pg.abs() / scale[active]).amax(1) <= self.tol * xnorm[active]
            keep = ~done
            active, Aa, ca, ea, ma, xa, v, grad, fixed = (t[keep] for t in (active, Aa, ca, ea, ma, xa, v, grad, fixed))
            if not active.numel():
                break
            d = (v > 0).double() if self.nonneg else torch.ones_like(v)
            H = torch.einsum("bmf,bf,bkf->bmk", Aa, d, Aa)
            free = (~fixed).double()
            H = H * free[:, :, None] * free[:, None, :] + torch.diag_embed(1 - free)
            ridge = 1e-12 * H.diagonal(dim1=1, dim2=2).amax(1).clamp_min(1e-300)
            H = H + ridge[:, None, None] * eye
            step = -torch.linalg.solve(H, (grad * free)[:, :, None]).squeeze(2)
            # vectorised Armijo search along the projected path mu(t) = P(mu + t step)
            cand = ma[None] + _STEPS[:, None, None] * step[None]
            cand = torch.where(ea[None], cand, cand.clamp_min(0))
            h0 = 0.5 * ((v.clamp_min(0) if self.nonneg else v) ** 2).sum(-1) + (ca * ma).sum(-1)
            hc = torch.stack([0.5 * (self._primal(xa, Aa, cand[t]) ** 2).sum(-1) + (ca * cand[t]).sum(-1)
                              for t in range(len(_STEPS))])
            decrease = (grad[None] * (cand - ma[None])).sum(-1)
            ok = hc <= h0[None] + 1e-4 * decrease + 1e-15 * h0.abs()[None]
            first = torch.where(ok.any(0), ok.double().argmax(0), torch.full_like(h0, len(_STEPS) - 1, dtype=torch.long))
            mu[active] = cand[first, torch.arange(active.numel())]
        del h
        y = self._primal(x, A, mu)
        slack = torch.einsum("bmf,bf->bm", A, y) - c  # <= 0 (== 0 on the equality row) at a feasible y
        viol = torch.where(eq, slack.abs(), slack.clamp_min(0))
        comp = torch.where(eq, torch.zeros_like(slack), (mu * slack).abs() / xnorm[:, None])
        residual = torch.maximum(viol / scale, comp / scale).amax(1) / xnorm
        residual = residual.nan_to_num(nan=float("inf"))
        converged = residual <= 10 * self.tol
        # an empty flip region makes the dual unbounded: the multipliers run away and y stays infeasible
        runaway = ~torch.isfinite(mu).all(1) | (mu.abs().amax(1) > 1e6 * xnorm)
        infeasible = ~converged & runaway
        return y, residual, converged, infeasible

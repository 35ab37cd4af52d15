"""Batched projection onto the convex hull of a training set (seed 002, Eqs. 20-25).

``x_h = argmin ||x_h - x||^2`` over ``x_h = alpha D``, ``alpha >= 0``, ``sum alpha = 1``
for many query points ``x`` at once.  The method is Wolfe's minimum-norm-point
algorithm (corral + affine minimiser), vectorised over queries, run on a small
per-query *working set* of training points, with column generation:

1. the working set starts as the ``k_init`` nearest training points;
2. Wolfe's algorithm solves the hull projection restricted to the working set;
3. one streaming pass over all training points (in chunks of ``chunk_size``)
   computes the Frank-Wolfe duality gap ``g = <x_h - x, x_h> - min_i <x_h - x, D_i>``,
   which bounds ``f(x_h) - f*`` for ``f = 1/2 ||x_h - x||^2`` over the *whole* hull;
4. queries whose gap exceeds the tolerance get their ``k_add`` most violating
   training points added to the working set, and go back to 2.

Training points never in a working set are screened out by the gap pass alone;
memory is ``O(query_batch * (chunk_size + working set * d))``.  Every query
reports its gap and ``distance_lower = sqrt(d_h^2 - 2 g)``: a query whose gap did
not reach the tolerance is flagged ``converged = False``, never silently wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

import torch

from ..errors import InvalidInputError

Track = Callable[[Iterator, str, int], Iterator]


@dataclass
class HullProjection:
    """Projections ``x_h`` (Eq. 24), distances ``d_h`` (Eq. 25) and their certificates, per query."""

    projection: torch.Tensor  # (Q, d) float64
    distance: torch.Tensor  # (Q,) ||x - x_h||
    gap: torch.Tensor  # (Q,) Frank-Wolfe duality gap over the whole training set
    distance_lower: torch.Tensor  # (Q,) certified lower bound on the exact distance
    converged: torch.Tensor  # (Q,) bool: gap <= rtol * d_h^2 + atol * mean ||D_i||^2
    support: torch.Tensor  # (Q, K) training indices with nonzero alpha, -1 padding
    weights: torch.Tensor  # (Q, K) their alpha (sum 1), 0 padding
    rounds: int  # gap passes over the training set (largest over query batches)

    @property
    def n_unconverged(self) -> int:
        return int((~self.converged).sum())

    def support_lists(self) -> list[list[tuple[int, float]]]:
        """Per query, ``(training index, alpha)`` sorted by decreasing alpha."""
        out = []
        for idx, w in zip(self.support.tolist(), self.weights.tolist()):
            pairs = sorted(((i, a) for i, a in zip(idx, w) if i >= 0), key=lambda p: -p[1])
            out.append(pairs)
        return out


class HullProjector:
    """Projects query points onto ``conv(points)``: configured once, applied to batches.

    Args:
        points: ``(N, d)`` training set ``D`` (kept in its dtype; streamed in chunks in fp64).
        rtol, atol: convergence when ``gap <= rtol * d_h^2 + atol * mean_i ||D_i||^2``
            (``d_h`` then exact to about ``rtol`` relatively).
        chunk_size: training points per chunk of the gap pass.
        query_batch: queries solved together.
        k_init, k_add: working-set size at the start, and points added per round.
        max_rounds: gap passes before giving up (the query is then reported unconverged).
        max_corral: the largest support Wolfe's corral may hold (default ``d + 2``).

    Example:
        >>> D = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
        >>> r = HullProjector(D)(torch.tensor([[1.0, 1.0], [0.2, 0.2]]))
        >>> [round(v, 6) for v in r.distance.tolist()]
        [0.707107, 0.0]
    """

    def __init__(self, points: torch.Tensor, *, rtol: float = 1e-10, atol: float = 1e-11, chunk_size: int = 8192,
                 query_batch: int = 1024, k_init: int | None = None, k_add: int | None = None, max_rounds: int = 60,
                 max_corral: int | None = None, max_wolfe_iter: int | None = None) -> None:
        if points.ndim != 2 or points.shape[0] == 0:
            raise InvalidInputError(f"hull points must be (N, d) with N >= 1, got {tuple(points.shape)}")
        if not torch.isfinite(points).all():
            raise InvalidInputError("hull points hold NaN or Inf")
        self.points = points
        n, d = points.shape
        self.rtol, self.atol = rtol, atol
        self.chunk_size, self.query_batch = chunk_size, query_batch
        self.k_init = min(n, k_init or max(16, min(2 * d, 128)))
        self.k_add = min(n, k_add or max(8, min(d // 2, 64)))
        self.max_rounds = max_rounds
        self.max_corral = min(n, max_corral or d + 2)
        self.max_wolfe_iter = max_wolfe_iter or 20 * self.max_corral + 100
        self.mean_sq = float(sum(float((c.double() ** 2).sum()) for c in self._chunks()) / n)

    def __repr__(self) -> str:
        n, d = self.points.shape
        return (f"HullProjector(N={n}, d={d}, rtol={self.rtol}, atol={self.atol}, chunk_size={self.chunk_size}, "
                f"k_init={self.k_init}, k_add={self.k_add}, max_corral={self.max_corral})")

    def _chunks(self) -> Iterator[torch.Tensor]:
        for start in range(0, self.points.shape[0], self.chunk_size):
            yield self.points[start:start + self.chunk_size]

    def __call__(self, queries: torch.Tensor, track: Track | None = None) -> HullProjection:
        """Project ``queries`` ``(Q, d)``; ``track(iterable, description, total)`` reports progress."""
        if queries.ndim != 2 or queries.shape[1] != self.points.shape[1]:
            raise InvalidInputError(f"queries must be (Q, {self.points.shape[1]}), got {tuple(queries.shape)}")
        if not torch.isfinite(queries).all():
            raise InvalidInputError("queries hold NaN or Inf")
        starts = range(0, queries.shape[0], self.query_batch)
        if track is not None:
            starts = track(starts, "hull projection", len(starts))
        parts = [self._solve(queries[s:s + self.query_batch].double()) for s in starts]
        width = max(p[4].shape[1] for p in parts)
        pad = lambda t, v: torch.nn.functional.pad(t, (0, width - t.shape[1]), value=v)  # noqa: E731
        proj, gap, conv, rounds = [torch.cat([p[i] for p in parts]) for i in range(4)]
        support = torch.cat([pad(p[4], -1) for p in parts])
        weights = torch.cat([pad(p[5], 0.0) for p in parts])
        q = queries.double()
        dist = (proj - q).norm(dim=1)
        lower = (dist ** 2 - 2 * gap).clamp_min(0).sqrt()
        return HullProjection(proj, dist, gap, lower, conv, support, weights, int(rounds.max()))

    # -- one batch of queries ---------------------------------------------------------------------------------------

    def _gap_pass(self, q: torch.Tensor, g: torch.Tensor, k: int) -> tuple[torch.Tensor, torch.Tensor]:
        """The ``k`` smallest ``<g, D_i - q>`` per query and their indices, streaming the training set."""
        best_v = torch.full((q.shape[0], 0), 0.0, dtype=torch.float64)
        best_i = torch.zeros((q.shape[0], 0), dtype=torch.long)
        offset = (g * q).sum(1, keepdim=True)
        start = 0
        for chunk in self._chunks():
            s = g @ chunk.double().T - offset
            idx = torch.arange(start, start + chunk.shape[0]).expand(q.shape[0], -1)
            v, pos = torch.cat([best_v, s], 1).topk(min(k, best_v.shape[1] + s.shape[1]), dim=1, largest=False)
            best_i = torch.cat([best_i, idx], 1).gather(1, pos)
            best_v = v
            start += chunk.shape[0]
        return best_v, best_i

    def _solve(self, q: torch.Tensor):
        b, d = q.shape
        # working set: the k_init nearest training points (a gap pass with g = -2q plus ||D_i||^2 would also do)
        near_v = torch.full((b, 0), 0.0, dtype=torch.float64)
        near_i = torch.zeros((b, 0), dtype=torch.long)
        start = 0
        for chunk in self._chunks():
            c = chunk.double()
            dist = (c * c).sum(1)[None, :] - 2 * q @ c.T
            idx = torch.arange(start, start + c.shape[0]).expand(b, -1)
            v, pos = torch.cat([near_v, dist], 1).topk(min(self.k_init, near_v.shape[1] + dist.shape[1]), 1, largest=False)
            near_i, near_v = torch.cat([near_i, idx], 1).gather(1, pos), v
            start += c.shape[0]
        pool = near_i  # (b, M) training indices, -1 = empty
        P = self.points[pool].double() - q[:, None, :]
        valid = torch.ones_like(pool, dtype=torch.bool)
        K = self.max_corral
        slots = torch.zeros((b, K), dtype=torch.long)
        on = torch.zeros((b, K), dtype=torch.bool)
        on[:, 0] = True
        lam = torch.zeros((b, K), dtype=torch.float64)
        lam[:, 0] = 1.0
        converged = torch.zeros(b, dtype=torch.bool)
        gap = torch.full((b,), float("inf"), dtype=torch.float64)
        rounds = 0
        todo = torch.arange(b)
        while todo.numel() and rounds < self.max_rounds:
            rounds += 1
            s_, o_, l_ = _wolfe(P[todo], valid[todo], slots[todo], on[todo], lam[todo], 1e-3 * self.rtol,
                                self.max_wolfe_iter)
            slots[todo], on[todo], lam[todo] = s_, o_, l_
            used = int(o_.sum(1).max())
            x = _combine(P[todo], s_[:, :used], o_[:, :used], l_[:, :used])  # x_h - q
            vals, idx = self._gap_pass(q[todo], x, self.k_add)
            gg = (x * x).sum(1)
            gap[todo] = (gg - vals[:, 0]).clamp_min(0)
            ok = gap[todo] <= self.rtol * gg + self.atol * self.mean_sq
            converged[todo] = ok
            # new columns: violating points not yet in the working set
            violating = vals < gg[:, None] - 0.5 * (self.rtol * gg[:, None] + self.atol * self.mean_sq)
            fresh = violating & ~(idx[:, :, None] == pool[todo][:, None, :]).any(2) & ~ok[:, None]
            if not fresh.any():
                break
            new = torch.where(fresh, idx, torch.full_like(idx, -1))
            pool = torch.cat([pool, torch.full((b, self.k_add), -1, dtype=torch.long)], 1)
            pool[todo, -self.k_add:] = new
            valid = pool >= 0
            newP = torch.zeros((b, self.k_add, d), dtype=torch.float64)
            newP[todo] = self.points[new.clamp_min(0)].double() - q[todo][:, None, :]
            P = torch.cat([P, newP * valid[:, -self.k_add:, None]], 1)
            todo = todo[~ok]
        slots, on, lam = _compact(slots, on, lam)
        used = int(on.sum(1).max())
        x = _combine(P, slots[:, :used], on[:, :used], lam[:, :used])
        support = torch.where(on & (lam > 0), pool.gather(1, slots), torch.full_like(slots, -1))
        weights = torch.where(support >= 0, lam, torch.zeros_like(lam))
        return x + q, gap, converged, torch.tensor([rounds]), support, weights


def _corral(P: torch.Tensor, slots: torch.Tensor, on: torch.Tensor) -> torch.Tensor:
    """The corral's points ``(B, K, d)``, zero in empty slots."""
    pts = P.gather(1, slots[:, :, None].expand(-1, -1, P.shape[2]))
    return pts * on[:, :, None]


def _compact(slots: torch.Tensor, on: torch.Tensor, lam: torch.Tensor) -> tuple[torch.Tensor, ...]:
    """Corral members first (stable), so the occupied block is ``[:, :on.sum(1).max()]``."""
    order = torch.sort((~on).to(torch.int8), dim=1, stable=True).indices
    return slots.gather(1, order), on.gather(1, order), lam.gather(1, order)


def _combine(P: torch.Tensor, slots: torch.Tensor, on: torch.Tensor, lam: torch.Tensor) -> torch.Tensor:
    return (_corral(P, slots, on) * lam[:, :, None]).sum(1)


def _affine_minimizer(S: torch.Tensor, on: torch.Tensor) -> torch.Tensor:
    """Weights ``mu`` (sum 1, zero off the corral) of the min-norm point of the corral's affine hull.

    ``min ||mu S||^2`` s.t. ``sum mu = 1`` gives ``G mu = nu 1``; with ``G + rho 11^T`` (nonsingular
    for an affinely independent corral) ``mu`` is proportional to ``(G + rho 11^T)^{-1} 1``.
    """
    G = S @ S.transpose(1, 2)
    onf = on.to(G.dtype)
    count = onf.sum(1).clamp_min(1)
    rho = (G.diagonal(dim1=1, dim2=2).sum(1) / count).clamp_min(1e-300)
    A = G + rho[:, None, None] * (onf[:, :, None] * onf[:, None, :]) + torch.diag_embed(1 - onf)
    A = A + torch.diag_embed(onf) * (1e-13 * rho[:, None, None])
    mu = torch.linalg.solve(A, onf[:, :, None]).squeeze(2) * onf
    return mu / mu.sum(1, keepdim=True)


def _wolfe(P: torch.Tensor, valid: torch.Tensor, slots: torch.Tensor, on: torch.Tensor, lam: torch.Tensor, tol: float,
           max_iter: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Wolfe's min-norm point of ``conv(P_b)`` per batch row (points shifted so the query is the origin).

    Stops a row when ``||x||^2 - min_j <x, P_j> <= tol * max(||x||^2, min_j ||P_j||^2 * 1e-4)`` or when the
    chosen point is already in the corral (numerical end); the caller's gap pass certifies the result.
    """
    slots, on, lam = slots.clone(), on.clone(), lam.clone()
    B, M, d = P.shape
    K = slots.shape[1]
    sq = (P * P).sum(2).masked_fill(~valid, float("inf"))
    floor = sq.min(1).values * 1e-4
    active = torch.arange(B)
    for _ in range(max_iter):
        if not active.numel():
            break
        Pa, sl, o, lm = P[active], slots[active], on[active], lam[active]
        # compact: corral members first, so the linear algebra runs on the occupied block only
        sl, o, lm = _compact(sl, o, lm)
        used = int(o.sum(1).max())
        x = _combine(Pa, sl[:, :used], o[:, :used], lm[:, :used])
        s = torch.einsum("bmd,bd->bm", Pa, x).masked_fill(~valid[active], float("inf"))
        smin, j = s.min(1)
        xx = (x * x).sum(1)
        done = xx - smin <= tol * torch.maximum(xx, floor[active])
        dup = ((sl == j[:, None]) & o).any(1)
        count = o.sum(1)
        full = count >= K
        stop = done | dup | full
        go = ~stop
        if go.any():
            g = go.nonzero().squeeze(1)
            sl_g, o_g, lm_g = sl[g], o[g], lm[g]
            free = count[g]
            sl_g[torch.arange(g.numel()), free] = j[g]
            o_g[torch.arange(g.numel()), free] = True
            width = int(free.max()) + 1
            sl_g, o_g, lm_g = _minor_cycles(Pa[g], sl_g, o_g, lm_g, width)
            sl[g], o[g], lm[g] = sl_g, o_g, lm_g
        slots[active], on[active], lam[active] = sl, o, lm
        active = active[go]
    return _compact(slots, on, lam)


def _minor_cycles(P: torch.Tensor, slots: torch.Tensor, on: torch.Tensor, lam: torch.Tensor,
                  width: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Wolfe's minor cycles on the first ``width`` slots: move to the affine minimiser, dropping points at zero."""
    s_w, o_w, l_w = slots[:, :width].clone(), on[:, :width].clone(), lam[:, :width].clone()
    pending = torch.arange(P.shape[0])
    for _ in range(width + 1):
        if not pending.numel():
            break
        S = _corral(P[pending], s_w[pending], o_w[pending])
        o, lm = o_w[pending], l_w[pending]
        mu = _affine_minimizer(S, o)
        positive = ((mu > 1e-14) | ~o).all(1)
        # rows whose affine minimiser is inside the corral's hull: take it
        l_new = torch.where(positive[:, None], mu, lm)
        # the others: step towards it until a weight reaches zero, drop that point
        neg = o & (mu <= 1e-14)
        ratio = torch.where(neg, lm / (lm - mu).clamp_min(1e-300), torch.full_like(lm, float("inf")))
        theta = ratio.min(1).values.clamp(0, 1)
        stepped = lm + theta[:, None] * (mu - lm)
        argmin = ratio.argmin(1)
        drop = o & ((stepped <= 1e-14) | torch.nn.functional.one_hot(argmin, o.shape[1]).bool())
        stepped = torch.where(drop, torch.zeros_like(stepped), stepped).clamp_min(0)
        stepped = stepped / stepped.sum(1, keepdim=True).clamp_min(1e-300)
        l_new = torch.where(positive[:, None], l_new, stepped)
        o_new = torch.where(positive[:, None], o, o & ~drop)
        l_w[pending], o_w[pending] = l_new * o_new, o_new
        pending = pending[~positive]
    slots, on, lam = slots.clone(), on.clone(), lam.clone()
    slots[:, :width], on[:, :width], lam[:, :width] = s_w, o_w, l_w
    return slots, on, lam

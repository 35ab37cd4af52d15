"""Pixel-space images that map to feature-space targets (seed 002, Eqs. 15-18), and App. A's 2-D projection.

``min ||x - x_r||^2`` over images ``x`` in ``[0, 1]`` subject to

- ``ball``:      ``||N_phi(x) - t|| <= r``  (Eqs. 15-16),
- ``perimeter``: ``||N_phi(x) - t|| = r``   (Fig. 7),
- ``point``:     ``N_phi(x) = t``           (Eqs. 17-18, ``r = 0``).

The problem is nonconvex; the paper solves it "with a homotopy algorithm" (Sec. 8), and so does
:func:`inverse_map`: a continuation from where the start image already is to the goal,

1. **track**: the radius of a sphere about ``t`` is marched in ``steps`` equal steps from the start's distance
   ``||N_phi(x_0) - t||`` to ``r`` (0 for a point, whose last step imposes all of ``N_phi(x) = t``); at each
   step Levenberg-Marquardt corrections ``dx = -J^T (J J^T + lambda I)^{-1} g`` (Gauss-Newton's least-norm step
   where ``lambda`` is small; pixels held at the box are frozen) restore feasibility, warm-started from the last;
2. **polish**: Levenberg-Marquardt at the goal until ``||g|| <= tol * d`` (``d = ||N_phi(x_r) - t||``, the
   feature distance the mapping covers);
3. **descend**, where Levenberg-Marquardt stalls: L-BFGS-B (float64 iterates, the pixel box as its bounds) on
   ``||g||^2 / 2`` until ``||g|| <= tol * d``. Levenberg-Marquardt stalls on deep ReLU networks (a ResNet-20:
   0.06 of ``d`` left near the end of a morph): a sphere's constraint is one equation, whose corrections are
   plain gradient steps, and a point's Gauss-Newton steps follow singular values down to 1e-3 of the largest,
   so they are far too long to survive the box and the ReLU kinks; the damping then shrinks them to gradient
   steps. A quasi-Newton method with a line search keeps a curvature model across the kinks and converges;
4. **refine** (Eq. 16/18's objective): steps towards the reference projected onto the constraint's tangent space,
   ``(I - J^+ J)(x_r - x)``, each followed by Gauss-Newton restoration (then a short L-BFGS-B one) and kept only
   where the image came closer to ``x_r`` and stayed feasible: a feasible point is never traded for a closer
   infeasible one.

Every solution reports its constraint residual in feature-space units (``max(0, ||N_phi(x) - t|| - r)`` for a
ball, ``| ||N_phi(x) - t|| - r |`` otherwise) and that residual relative to ``d``.
A ball whose reference already lies inside it is solved by the reference itself; otherwise the closest image lies
on the ball's boundary, so a ball is solved as its perimeter.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
import scipy.optimize
import torch

from ..errors import InvalidInputError

MODES = ("ball", "perimeter", "point")
Features = Callable[[torch.Tensor], torch.Tensor]


@dataclass
class InverseMap:
    """Solutions ``x`` (B, C, H, W), their features, constraint residuals and distances to the reference."""

    images: torch.Tensor
    features: torch.Tensor
    residual: torch.Tensor  # (B,) in feature-space distance units
    pixel_distance: torch.Tensor  # (B,) ||x - x_r||_2
    target_distance: torch.Tensor  # (B,) d = ||N_phi(x_r) - t||: the feature distance the mapping covers
    iterations: int = 0  # Jacobian evaluations (the cost)
    gradients: int = 0  # evaluations of ||g||^2 and its gradient by the L-BFGS-B descent (one image each)

    @property
    def relative_residual(self) -> torch.Tensor:
        """``residual / d``; 0 where the reference already met the constraint (``d = 0`` or inside the ball)."""
        return torch.where(self.residual > 0, self.residual / self.target_distance.clamp_min(1e-30),
                           torch.zeros_like(self.residual))


class _Constraint:
    """``g(x)`` (B, m) and its Jacobian (B, m, P): ``N_phi(x) - t`` (m = f) or ``||N_phi(x) - t|| - r`` (m = 1)."""

    def __init__(self, features: Features, target: torch.Tensor, point: bool) -> None:
        self.features, self.target, self.point = features, target, point

    def value(self, x: torch.Tensor, r: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            return self._g(self.features(x), self.target, r)

    def _g(self, phi: torch.Tensor, target: torch.Tensor, r: torch.Tensor) -> torch.Tensor:
        diff = phi.float() - target
        return diff if self.point else (diff.norm(dim=1) - r)[:, None]

    def jacobian(self, x: torch.Tensor, r: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        b = x.shape[0]
        m = self.target.shape[1] if self.point else 1
        # one backward pass for all m rows: the image repeated m times, row k's output selected from copy k
        xx = x.detach().repeat_interleave(m, dim=0).requires_grad_(True)
        with torch.enable_grad():
            g = self._g(self.features(xx), self.target.repeat_interleave(m, dim=0), r.repeat_interleave(m)).view(b, m, m)
            (grad,) = torch.autograd.grad(g.diagonal(dim1=1, dim2=2).sum(), xx)
        return g[:, 0].detach(), grad.reshape(b, m, -1)

    def squared(self, x: torch.Tensor, r: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``||g(x)||`` (B,) and the gradient of ``sum ||g||^2 / 2`` (B, C, H, W): one backward pass."""
        x = x.detach().requires_grad_(True)
        with torch.enable_grad():
            g = self._g(self.features(x), self.target, r)
            (grad,) = torch.autograd.grad(0.5 * (g ** 2).sum(), x)
        return g.detach().norm(dim=1), grad


def _least_norm(J: torch.Tensor, rhs: torch.Tensor, free: torch.Tensor, damping: torch.Tensor) -> torch.Tensor:
    """``J_F^T (J_F J_F^T + lambda I)^{-1} rhs`` on the free pixels ``F`` (B, P), ``lambda`` (B,) relative to the
    mean of ``diag(J_F J_F^T)``."""
    Jf = (J * free[:, None, :]).double()
    A = Jf @ Jf.transpose(1, 2)
    scale = A.diagonal(dim1=1, dim2=2).mean(1).clamp_min(1e-30)
    A = A + (damping.double() * scale)[:, None, None] * torch.eye(A.shape[1], dtype=A.dtype)
    y = torch.linalg.solve(A, rhs.double().unsqueeze(2))
    return (Jf.transpose(1, 2) @ y).squeeze(2).float()


def _box_free(x: torch.Tensor, step: torch.Tensor) -> torch.Tensor:
    """Pixels a step may move: not held at 0 while pushed down, nor at 1 while pushed up."""
    return ~(((x <= 0) & (step < 0)) | ((x >= 1) & (step > 0)))


def _levenberg_marquardt(con: _Constraint, x: torch.Tensor, r: torch.Tensor, tol: torch.Tensor, iterations: int,
                         damping: torch.Tensor, tries: int = 10, stall: int = 0) -> tuple[torch.Tensor, int]:
    """Levenberg-Marquardt on ``g(x) = 0`` until ``||g|| <= tol`` per problem; returns ``(x, Jacobians)``.

    A step is kept only where it lowers ``||g||``; the damping ``lambda`` (per problem, updated in place) shrinks
    by 3 after a kept step and grows by 4 after a refused one, so a step is Gauss-Newton's least-norm step where
    the linearisation holds and a short gradient step on ``||g||^2`` where it does not (ReLU networks are only
    piecewise linear: their Jacobians are ill-conditioned, their Gauss-Newton steps far too long).
    With ``stall``, a problem whose ``||g||`` did not halve over the last ``stall`` Jacobians stops (it crawls).
    """
    shape, count = x.shape, 0
    x = x.detach().flatten(1).clone()
    history, crawling = [], torch.zeros(len(x), dtype=torch.bool)
    for _ in range(iterations):
        g, J = con.jacobian(x.view(shape), r)
        count += 1
        norm = g.norm(dim=1)
        history.append(norm)
        if stall and len(history) > stall:
            crawling |= norm > 0.5 * history[-1 - stall]
        pending = (norm > tol) & ~crawling
        if not pending.any():
            break
        for _ in range(tries):
            step = -_least_norm(J, g, torch.ones_like(x, dtype=torch.bool), damping)
            free = _box_free(x, step)
            step = -_least_norm(J, g, free, damping) * free
            trial = (x + step).clamp(0, 1)
            better = pending & (con.value(trial.view(shape), r).norm(dim=1) < norm)
            x[better] = trial[better]
            damping[better] = (damping[better] / 3).clamp_min(1e-9)
            pending &= ~better
            damping[pending] = damping[pending] * 4
            if not pending.any():
                break
    return x.view(shape), count


class _Reached(Exception):
    """Raised from L-BFGS-B's objective the moment an evaluated image meets the tolerance."""


def _descend(con: _Constraint, x: torch.Tensor, r: torch.Tensor, tol: torch.Tensor, budget: int
             ) -> tuple[torch.Tensor, int]:
    """L-BFGS-B on ``||g(x)||^2 / 2`` over the box ``[0, 1]``, one problem at a time, until ``||g|| <= tol`` or
    ``budget`` evaluations per problem; returns ``(x, evaluations)``. Rows already within ``tol`` are left alone,
    and a row ends at its best evaluated image, so the residual never grows.

    L-BFGS-B stops early where its line search meets a ReLU kink; it is restarted from its best image (a fresh
    curvature memory) as long as a run lowers ``||g||`` by at least 1%.
    """
    x, count = x.detach().clone(), 0
    with torch.no_grad():
        norm = con.value(x, r).norm(dim=1)
    for i in (norm > tol).nonzero().flatten().tolist():
        one = _sub(con, torch.arange(len(x)) == i)
        shape, dtype, goal, used = x[i:i + 1].shape, x.dtype, float(tol[i]), 0
        best = [float(norm[i]), x[i].double().flatten().numpy()]

        def objective(v: np.ndarray) -> tuple[float, np.ndarray]:
            nonlocal used
            used += 1
            residual, grad = one.squared(torch.from_numpy(v).to(dtype).view(shape), r[i:i + 1])
            if float(residual[0]) < best[0]:
                best[:] = float(residual[0]), v.copy()
            if float(residual[0]) <= goal:
                raise _Reached
            return 0.5 * float(residual[0]) ** 2, grad.double().flatten().numpy()

        before = math.inf
        while used < budget and best[0] < 0.99 * before:
            before = best[0]
            try:
                # ftol/gtol 0: only the budget, the tolerance (raised from the objective) or a stuck line search end it
                scipy.optimize.minimize(objective, best[1].copy(), jac=True, method="L-BFGS-B",
                                        bounds=scipy.optimize.Bounds(0.0, 1.0),
                                        options={"maxfun": budget - used, "maxiter": budget, "maxcor": 20,
                                                 "ftol": 0.0, "gtol": 0.0})
            except _Reached:
                break
        x[i] = torch.from_numpy(best[1]).to(dtype).view(x[i].shape)
        count += used
    return x, count


def inverse_map(features: Features, target: torch.Tensor, reference: torch.Tensor,
                radius: torch.Tensor | float = 0.0, mode: str = "ball", start: torch.Tensor | None = None, *,
                steps: int = 8, corrections: int = 4, polish: int = 40, descent: int = 3000, refine: int = 8,
                tol: float = 1e-4) -> InverseMap:
    """Solve Eqs. 15-18 for a batch by continuation: ``features`` maps pixels ``(B, C, H, W)`` in ``[0, 1]`` to ``(B, f)``.

    Args:
        target: ``t`` (B, f); ``reference``: ``x_r`` (B, C, H, W); ``radius``: ``r``, scalar or (B,).
        start: where the continuation begins (default: the reference), e.g. the previous solution of a morph.
        steps: continuation steps from the start's own features (or radius) to the goal.
        corrections: Levenberg-Marquardt corrections per continuation step; ``polish``: at most, at the goal.
        descent: at most this many evaluations of L-BFGS-B where the polish left the goal unmet (0: none).
        refine: tangent steps towards the reference (each restored by Levenberg-Marquardt, then by at most 32
            evaluations of L-BFGS-B where ``descent`` is on); 0: the least-norm path.
        tol: the residual sought, relative to ``d = ||N_phi(x_r) - t||``.

    Example:
        >>> M = torch.tensor([[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 1.0, 0.0]])
        >>> m = inverse_map(lambda x: x.flatten(1) @ M.T, torch.tensor([[0.2, 0.6]]), torch.full((1, 1, 2, 2), 0.5),
        ...                 mode="point")
        >>> [round(v, 3) for v in m.images.flatten().tolist()], float(m.relative_residual) < 1e-3
        ([0.2, 0.3, 0.3, 0.5], True)
    """
    if mode not in MODES:
        raise InvalidInputError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    if target.ndim != 2 or reference.shape[0] != target.shape[0]:
        raise InvalidInputError(f"target must be (B, f) and reference (B, ...) with the same B, got "
                                f"{tuple(target.shape)} and {tuple(reference.shape)}")
    if steps < 1:
        raise InvalidInputError(f"steps must be at least 1, got {steps}")
    if descent < 0:
        raise InvalidInputError(f"descent must be a number of evaluations >= 0, got {descent}")
    target = target.detach().float()
    ref = reference.detach().float().clamp(0, 1)
    b = target.shape[0]
    r = torch.zeros(b) if mode == "point" else torch.as_tensor(radius, dtype=torch.float32).expand(b).clone()
    with torch.no_grad():
        d = (features(ref).float() - target).norm(dim=1)
    point = mode == "point"
    con = _Constraint(features, target, point)
    x = (ref if start is None else start.detach().float()).clamp(0, 1).clone()
    # a ball holding the reference is solved by it; one that does not is solved on its perimeter
    done = (d <= r) if mode == "ball" else torch.zeros(b, dtype=torch.bool)
    x[done] = ref[done]
    goal_tol = tol * d.clamp_min(1e-12)
    count = 0
    damping = torch.full((b,), 1e-2)
    with torch.no_grad():
        phi0 = features(x).float()
    rho0 = (phi0 - target).norm(dim=1)
    # a point is approached through shrinking spheres about it (the paper's homotopy in r, Fig. 8): a sphere meets
    # the range of N_phi wherever a path of images crosses it, a straight line of target points need not
    sphere = _Constraint(features, target, False)
    for k in range(1, steps + 1):
        s = k / steps
        last = k == steps
        r_k = r if last else rho0 + s * (r - rho0)
        stage = con if last or not point else sphere
        # intermediate steps are tracked loosely (a tenth of a step), the goal to the tolerance
        step_tol = goal_tol if last else torch.maximum(0.1 * (rho0 - r).abs() / steps, goal_tol)
        todo = ~done
        if todo.any():
            lam = damping[todo]
            # where L-BFGS-B takes over, a polish that crawls stops early: its Jacobians cost f gradients each
            x[todo], used = _levenberg_marquardt(_sub(stage, todo), x[todo], r_k[todo], step_tol[todo],
                                                 polish if last else corrections, lam,
                                                 stall=4 if last and descent else 0)
            damping[todo] = lam
            count += used
    gradients = 0
    todo = ~done
    if descent and todo.any():
        x[todo], gradients = _descend(_sub(con, todo), x[todo], r[todo], goal_tol[todo], descent)
    if refine and (~done).any():
        x, used, grads = _refine(con, x, ref, r, goal_tol, done, refine, damping, min(descent, 32))
        count, gradients = count + used, gradients + grads
    with torch.no_grad():
        phi = features(x).float()
        dist = (phi - target).norm(dim=1)
        residual = (dist - r).clamp_min(0) if mode == "ball" else (dist - r).abs()
        return InverseMap(x.detach(), phi, residual, (x - ref).flatten(1).norm(dim=1), d, count, gradients)


def _sub(con: _Constraint, rows: torch.Tensor) -> _Constraint:
    return _Constraint(con.features, con.target[rows], con.point)


def _refine(con: _Constraint, x: torch.Tensor, ref: torch.Tensor, r: torch.Tensor, tol: torch.Tensor,
            done: torch.Tensor, iterations: int, damping: torch.Tensor, restore: int
            ) -> tuple[torch.Tensor, int, int]:
    """Tangent steps towards ``ref``, restored by Levenberg-Marquardt (then by at most ``restore`` evaluations of
    L-BFGS-B), kept where closer and still feasible; returns ``(x, Jacobians, gradients)``."""
    shape, count, gradients = x.shape, 0, 0
    beta = torch.ones(x.shape[0])
    for _ in range(iterations):
        todo = ~done
        if not todo.any():
            break
        sub = _sub(con, todo)
        xs, refs = x[todo].flatten(1), ref[todo].flatten(1)
        _, J = sub.jacobian(x[todo], r[todo])
        count += 1
        toward = refs - xs
        free = _box_free(xs, toward)
        along = toward * free
        tangent = along - _least_norm(J, (J @ along[:, :, None]).squeeze(2), free, torch.full((len(xs),), 1e-9))
        trial = (xs + beta[todo, None] * tangent).clamp(0, 1)
        lam = damping[todo]
        restored, used = _levenberg_marquardt(sub, trial.view(-1, *shape[1:]), r[todo], tol[todo], 3, lam)
        count += used
        if restore:
            restored, used = _descend(sub, restored, r[todo], tol[todo], restore)
            gradients += used
        restored = restored.flatten(1)
        ok = ((sub.value(restored.view(-1, *shape[1:]), r[todo]).norm(dim=1) <= tol[todo])
              & ((restored - refs).norm(dim=1) < (xs - refs).norm(dim=1) * (1 - 1e-4)))
        rows = todo.nonzero().squeeze(1)
        x[rows[ok]] = restored[ok].view(-1, *shape[1:])
        beta[rows[ok]] = (beta[rows[ok]] * 2).clamp(max=1)
        beta[rows[~ok]] /= 4
        done = done.clone()
        done[rows[~ok & (beta[rows] < 1e-3)]] = True
    return x, count, gradients


def two_point_projection(a: torch.Tensor, b: torch.Tensor, points: torch.Tensor) -> torch.Tensor:
    """App. A (Eqs. 27-29): 2-D coordinates ``(c1, c2)`` of ``points`` (P, f) keeping their distances to ``a`` and ``b``.

    ``a`` maps to ``(0, 0)`` and ``b`` to ``(d_AB, 0)``; ``c2 >= 0`` measures how far a point leaves the line AB.
    """
    a, b, points = a.double(), b.double(), points.double()
    d_ab = float((b - a).norm())
    if d_ab == 0:
        raise InvalidInputError("the two control points coincide")
    d_ac = (points - a).norm(dim=1)
    d_bc = (points - b).norm(dim=1)
    cos = ((d_ac ** 2 + d_ab ** 2 - d_bc ** 2) / (2 * d_ac.clamp_min(1e-300) * d_ab)).clamp(-1, 1)
    alpha = torch.arccos(cos)
    return torch.stack([d_ac * torch.cos(alpha), d_ac * torch.sin(alpha)], dim=1)


def radii(distance: float, count: int = 8) -> list[float]:
    """A morphing schedule from ``distance`` down to 0 (Fig. 8), denser near the start."""
    return [round(distance * (1 - math.sin(0.5 * math.pi * k / (count - 1))), 4) for k in range(count)]

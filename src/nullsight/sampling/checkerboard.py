"""The checkerboard (Nyquist) perturbation ``delta[i, j] = eps * (-1)^(i+j)`` (seed 004, "Checkerboard Attack").

The card computes ``(S_2 delta)[i, j] = eps`` and concludes ``delta in ker(S_2 - eps I)``
and that networks "would never even see the attack".  What holds, measured
here for every operator: ``S_2`` (decimation) maps the checkerboard to the
*constant* ``eps`` -- a DC shift of norm ``eps * sqrt(m)``, not zero, so
``delta`` is not in ``ker(S_2)``; the binomial blurs have zero response at
``w = pi`` and annihilate it (``delta in ker(B)``), and so does the 2x2
average of a bilinear x0.5 resize.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from .operators import Downsampler


def checkerboard(size: tuple[int, int], eps: float, dtype: torch.dtype = torch.float32,
                 device: torch.device | str | None = None) -> torch.Tensor:
    """``eps * (-1)^(i+j)`` on an ``H x W`` grid, ``(H, W)``."""
    i = torch.arange(size[0], device=device)[:, None]
    j = torch.arange(size[1], device=device)[None, :]
    return (1 - 2 * ((i + j) % 2)).to(dtype) * eps


@dataclass
class CheckerboardResponse:
    """What ``D`` does to the checkerboard on one channel (fp64).

    ``response_norm = ||D delta||_2``; ``response_mean``: its DC value;
    ``deviation_from_constant = ||D delta - mean||_2`` (0: the output is a
    constant, the card's claim for ``S_2``); ``relative_response =
    ||D delta||_2 / (eps sqrt(m))`` (1 for a pure DC shift of ``eps``, 0 in the
    kernel); ``kernel_fraction = ||P_ker delta|| / ||delta||``.
    """

    operator: str
    eps: float
    response_norm: float
    response_mean: float
    deviation_from_constant: float
    relative_response: float
    kernel_fraction: float
    in_kernel: bool
    constant_output: bool


def checkerboard_response(op: Downsampler, size: int, eps: float, project: "callable", tol: float = 1e-12) -> CheckerboardResponse:
    """Measure ``D delta`` for the checkerboard on a ``size x size`` channel; ``project`` is ``P_ker``."""
    delta = checkerboard((size, size), eps, torch.float64)
    out = op.down(delta[None, None])[0, 0]
    m = out.numel()
    norm = float(out.norm())
    mean = float(out.mean())
    deviation = float((out - out.mean()).norm())
    in_kernel_part = float(project(delta).norm()) / float(delta.norm())
    scale = eps * m**0.5
    return CheckerboardResponse(op.name, eps, norm, mean, deviation, norm / scale, in_kernel_part,
                                in_kernel=norm <= tol * scale, constant_output=deviation <= tol * scale)

"""The beta sweep of seed 000, Fig. 3: PSNR / SSIM against beta, logits unchanged.

For every beta the same direction ``d`` is scaled, ``x_hat = x + beta d`` is
verified (output only, fp32 and fp64) and compared with ``x``.  PSNR falls as
beta grows while the outputs stay identical: a similarity measure built on the
network's features (LPIPS) would call the images equal.
"""

from __future__ import annotations

import statistics
from typing import Sequence

import torch

from . import box as boxlib
from .metrics import psnr, ssim
from .result import SweepPoint, SweepResult
from .search import NullSpaceSearch

DEFAULT_BETAS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0)


def beta_sweep(search: NullSpaceSearch, images: torch.Tensor, betas: Sequence[float] = DEFAULT_BETAS,
               track=None, name: str = "model") -> SweepResult:
    """Run ``search`` at every beta on ``images`` ``(B, C, H, W)``; unclipped images (the collisions themselves)."""
    x = search.check_images(images)
    prep = search.prepare()
    common = dict(model=name, method=prep.first.method, null_dim=prep.null.dim, basis=str(search.basis),
                  n_images=x.shape[0])
    if prep.direction is None or not prep.direction.exact_by_construction:
        return SweepResult(**common, points=[], message=prep.message + "; no sweep: there is no exact collision to scale")
    verify = prep.verifier.without_layers()
    d = prep.direction.image.unsqueeze(0)
    points = []
    for beta in (betas if track is None else track(list(betas), "beta sweep", len(betas))):
        x_hat = x + float(beta) * d
        v = verify(x, x_hat)
        ps = [p for p in psnr(x, x_hat) if p is not None]
        ss = ssim(x, x_hat)
        oor = boxlib.out_of_range_fraction(x_hat, d != 0)
        points.append(SweepPoint(
            beta=float(beta), psnr_mean=statistics.fmean(ps) if ps else None, psnr_min=min(ps) if ps else None,
            ssim_mean=statistics.fmean(ss), ssim_min=min(ss),
            exact_fraction=sum(v.exact) / len(v.exact), same_top1_fraction=sum(v.same_top1) / len(v.same_top1),
            max_rel_diff_fp64=max(v.max_rel_diff_fp64), max_abs_diff=max(v.max_abs_diff),
            out_of_range_fraction=float(oor.mean())))
    exact = all(p.exact_fraction == 1.0 for p in points)
    msg = prep.message + ("; every image at every beta verified exact" if exact else
                          "; NOT exact at every beta (see exact_fraction)")
    return SweepResult(**common, points=points, message=msg)

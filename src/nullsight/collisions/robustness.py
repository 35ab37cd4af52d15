"""Does a collision survive what storing an image does?  Clipping to [0, 1] and 8-bit PNG, re-verified.

Seed 000's collisions live in real numbers; a saved image is clipped and
rounded to 1/255.  Each change is followed by a fresh forward pass (output only,
fp32 and fp64) so the answer is measured, never assumed.
"""

from __future__ import annotations

import torch

from ..imaging import largest_step, quantize_8bit
from .box import out_of_range_fraction
from .result import Recheck, Robustness
from .verify import Verification, Verifier


def recheck(v: Verification, i: int | None = None) -> Recheck:
    """Image ``i``'s re-verification, or the worst case over the batch (``i=None``)."""
    if i is None:
        return Recheck(all(v.exact), max(v.max_rel_diff_fp64), all(v.same_top1))
    return Recheck(v.exact[i], v.max_rel_diff_fp64[i], v.same_top1[i])


def robustness(verifier: Verifier, x: torch.Tensor, x_hat: torch.Tensor, direction: torch.Tensor,
               bounds: tuple[float, float] = (0.0, 1.0), image: bool = True
               ) -> tuple[Robustness, list[tuple[Recheck, Recheck | None, float, float]]]:
    """The batch's :class:`Robustness` and, per item, ``(clipped, png8, beta_max_in_box, out_of_range_fraction)``.

    ``x``, ``x_hat``: ``(B, *input_size)``; ``direction``: the unit perturbation ``input_size``; ``bounds``: the
    valid range clipped to.  The 8-bit PNG re-check applies to images only (``png8`` is None otherwise).
    """
    low, high = bounds
    fast = verifier.without_layers()
    clipped = fast(x, x_hat.clamp(low, high))
    png = fast(x, quantize_8bit(x_hat)) if image else None
    d = direction.unsqueeze(0)
    bmax = largest_step(x, d, low, high)
    oor = out_of_range_fraction(x_hat, d != 0, low, high)
    per_image = [(recheck(clipped, i), recheck(png, i) if png is not None else None, float(bmax[i]), float(oor[i]))
                 for i in range(x.shape[0])]
    summary = Robustness(recheck(clipped), recheck(png) if png is not None else None, max(oor.tolist()),
                         float(bmax.min()), bounds=list(bounds))
    return summary, per_image

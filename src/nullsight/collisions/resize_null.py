"""The null space of a bilinear resize ``H x W -> H' x W'``: where a detector's input transform is blind.

torchvision's detection models (Faster/Mask/Keypoint R-CNN, RetinaNet, FCOS,
SSD) normalise and then resize every image with ``F.interpolate(mode="bilinear",
align_corners=False)`` and no antialias, before any weight sees it.  The
normalisation is an invertible per-channel affine map; the resize is linear and
separable, ``X -> A_h X A_w^T`` per channel, with 1-D factors ``A_h`` (``H' x H``)
and ``A_w`` (``W' x W``).  Its null space is

    ``{X : A_h X A_w^T = 0}``,  of dimension ``H W - rank(A_h) rank(A_w)``,

and the orthogonal projector onto it is ``X -> X - P_h X P_w`` with ``P`` the
projectors onto the row spaces of the factors.  An image larger than the
transform's target has a null space (3/4 of every channel at a 2x reduction);
one at or below the target size is upsampled, the factors have full column rank,
and the resize is injective.

>>> k = resize_kernel((8, 6), (4, 3))         # a 2x reduction
>>> k.nullity, k.nullity == 8 * 6 - 4 * 3
(36, True)
>>> x = torch.randn(2, 3, 8, 6, dtype=torch.float64)
>>> float(k.apply(k.project(x)).abs().max()) < 1e-12
True
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch.nn import functional as F

from ..linalg import SubspaceSplit, default_rtol, separable_null_projection, split_spaces


def bilinear_factor(n_in: int, n_out: int, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    """The ``n_out x n_in`` 1-D factor of ``F.interpolate(mode="bilinear", align_corners=False)`` along one axis,
    read off the interpolation of the unit vectors (so it is PyTorch's own arithmetic, not a re-derivation)."""
    units = torch.eye(n_in, dtype=dtype).reshape(n_in, 1, n_in, 1)  # one unit vector per batch item, on the H axis
    out = F.interpolate(units, size=(n_out, 1), mode="bilinear", align_corners=False)
    return out[:, 0, :, 0].transpose(0, 1).contiguous()


@dataclass(frozen=True)
class ResizeKernel:
    """``ker(X -> A_h X A_w^T)`` for ``in_size -> out_size`` from the two 1-D SVDs (fp64)."""

    in_size: tuple[int, int]
    out_size: tuple[int, int]
    rows: SubspaceSplit   # of A_h
    cols: SubspaceSplit   # of A_w
    factor_h: torch.Tensor
    factor_w: torch.Tensor

    @property
    def nullity(self) -> int:
        """``H W - rank(A_h) rank(A_w)`` per channel."""
        h, w = self.in_size
        return h * w - self.rows.rank * self.cols.rank

    @property
    def injective(self) -> bool:
        return self.nullity == 0

    @property
    def sigma_min(self) -> float:
        """The smallest singular value of the resize kept in its rank (a product of the factors')."""
        return float(self.rows.sigma[self.rows.rank - 1] * self.cols.sigma[self.cols.rank - 1])

    @property
    def sigma_max(self) -> float:
        return float(self.rows.sigma[0] * self.cols.sigma[0])

    def apply(self, x: torch.Tensor) -> torch.Tensor:
        """The resize ``(..., H, W) -> (..., H', W')`` as matrices (equals ``F.interpolate`` to rounding)."""
        return self.factor_h.to(x) @ x @ self.factor_w.to(x).transpose(0, 1)

    def project(self, x: torch.Tensor) -> torch.Tensor:
        """``(..., H, W)`` onto the null space: ``x - P_h x P_w`` (channel by channel)."""
        return separable_null_projection(x, self.rows.row, self.cols.row)


def resize_kernel(in_size: tuple[int, int], out_size: tuple[int, int], rtol: float | None = None) -> ResizeKernel:
    """The :class:`ResizeKernel` of the bilinear resize ``in_size -> out_size`` (``(H, W)`` pairs)."""
    a_h, a_w = bilinear_factor(in_size[0], out_size[0]), bilinear_factor(in_size[1], out_size[1])
    tol = (lambda a: default_rtol(tuple(a.shape), torch.float64)) if rtol is None else (lambda a: rtol)
    return ResizeKernel(tuple(in_size), tuple(out_size), split_spaces(a_h, tol(a_h)), split_spaces(a_w, tol(a_w)),
                        a_h, a_w)

"""The modulatory Fourier mask of seed 003, Eq. (1): ``x_M = Re(F^-1(M * F x))``, one mask entry per FFT coefficient."""

from __future__ import annotations

import torch

from ..errors import InvalidInputError


def apply_mask(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Filter images ``x`` (B, C, H, W) by masks ``mask`` (B or 1, C, H, W) in [0, 1] over the 2-D FFT.

    A mask of all ones gives back ``x`` (up to FFT round-off); the output is real, in pixel space.
    """
    if x.ndim != 4:
        raise InvalidInputError(f"images must be (B, C, H, W), got {tuple(x.shape)}")
    if mask.ndim != 4 or mask.shape[1:] != x.shape[1:] or mask.shape[0] not in (1, x.shape[0]):
        raise InvalidInputError(f"a mask of shape {tuple(mask.shape)} does not fit images of shape {tuple(x.shape)}")
    return torch.fft.ifft2(mask * torch.fft.fft2(x)).real


def centred_spectrum(mask: torch.Tensor) -> torch.Tensor:
    """A mask with the zero frequency moved to the centre (for figures, like the paper's Fig. 3)."""
    return torch.fft.fftshift(mask, dim=(-2, -1))

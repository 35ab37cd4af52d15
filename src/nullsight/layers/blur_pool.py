"""BlurPool: a fixed binomial low-pass filter applied depthwise, then subsampling (seed 004, "Anti-aliased Downsampling").

The kernel is the normalised ``[1, 2, 1] (x) [1, 2, 1] / 16`` binomial (Zhang 2019,
"Making convolutional networks shift-invariant again"; timm's ``BlurPool2d``):
one filter per channel, no cross-channel mixing.  Its frequency response
``(1 + cos w) / 2`` vanishes at the Nyquist frequency ``w = pi``, so the
checkerboard ``(-1)^(i+j)`` is annihilated before the stride drops samples.
Reflect padding keeps the output size ``ceil(H / stride)`` without a dark border.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F


def binomial_kernel(taps: int = 3, dtype: torch.dtype = torch.float32, device: torch.device | str | None = None) -> torch.Tensor:
    """The normalised 2-D binomial filter ``(taps, taps)`` (``taps=3``: ``[1,2,1] (x) [1,2,1] / 16``), summing to 1."""
    if taps < 1:
        raise ValueError(f"a binomial filter has at least one tap, got {taps}")
    row = torch.ones(1, dtype=torch.float64)
    for _ in range(taps - 1):
        row = torch.cat([row, torch.zeros(1, dtype=torch.float64)]) + torch.cat([torch.zeros(1, dtype=torch.float64), row])
    kernel = torch.outer(row, row)
    return (kernel / kernel.sum()).to(dtype=dtype, device=device)


def blur_pool2d(x: torch.Tensor, kernel: torch.Tensor | None = None, stride: int = 2) -> torch.Tensor:
    """Depthwise low-pass with ``kernel`` (default :func:`binomial_kernel`), reflect-padded, then stride.

    Shapes: ``(B, C, H, W) -> (B, C, ceil(H / stride), ceil(W / stride))``.
    """
    if x.ndim != 4:
        raise ValueError(f"blur_pool2d expects (B, C, H, W), got shape {tuple(x.shape)}")
    kernel = binomial_kernel(dtype=x.dtype, device=x.device) if kernel is None else kernel.to(x)
    taps = kernel.shape[-1]
    pad_lo, pad_hi = (taps - 1) // 2, taps // 2
    channels = x.shape[1]
    weight = kernel.reshape(1, 1, taps, taps).expand(channels, 1, taps, taps)
    padded = F.pad(x, (pad_lo, pad_hi, pad_lo, pad_hi), mode="reflect")
    return F.conv2d(padded, weight, stride=stride, groups=channels)


class BlurPool2d(nn.Module):
    """Anti-aliased downsampling: :func:`blur_pool2d` with the binomial kernel held as a non-persistent buffer.

    >>> BlurPool2d()(torch.zeros(1, 4, 32, 32)).shape
    torch.Size([1, 4, 16, 16])
    """

    def __init__(self, taps: int = 3, stride: int = 2) -> None:
        super().__init__()
        self.taps, self.stride = taps, stride
        self.register_buffer("kernel", binomial_kernel(taps), persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return blur_pool2d(x, self.kernel, self.stride)

    def extra_repr(self) -> str:
        return f"taps={self.taps}, stride={self.stride}"

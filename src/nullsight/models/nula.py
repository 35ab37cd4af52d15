"""NULA (seed 004, "NULA Architecture"): an anti-aliased residual CNN for 32x32 RGB images.

Stem 3 -> 128 (Conv3x3, BatchNorm, SiLU); stage 1 128 -> 128 residual without
downsampling; stages 2 and 3 (128 -> 256 -> 512) residual with BlurPool
downsampling; squeeze-and-excitation (r = 16) in every stage; head
GlobalAvgPool -> Linear(512, 512) -> SiLU -> Dropout(0.3) -> Linear(512, 10).

The card leaves the block internals open.  Here a stage is one block::

    x -> down(x) -> Conv3x3 -> BN -> SiLU -> Conv3x3 -> BN -> SE  (+)  Conv1x1 -> BN  <- down(x)   -> SiLU

with a 1x1 projection shortcut in every stage (stage 1 included).  That gives
5,219,650 parameters, the card's "5.22M"; an identity shortcut in stage 1 would
give 5,203,010 (5.20M).  Downsampling first (BlurPool before the convolutions)
costs 0.79 GMAC per 32x32 image, the issue's "about 0.75".

``width`` scales every channel count (``nullsight:nula-w0.25``); ``downsample``
``"blur"`` (the card) or ``"stride"`` (the ablation: the first convolution and
the shortcut stride by 2); ``se=False`` drops the SE blocks.  Inputs are
normalised with mean = std = 0.5 (pixels in [0, 1] -> [-1, 1]).
"""

from __future__ import annotations

import re

import torch
from torch import nn

from ..errors import InvalidInputError
from ..layers import create_attention, create_downsample

NULA_MEAN = (0.5, 0.5, 0.5)
NULA_STD = (0.5, 0.5, 0.5)
NULA_WIDTHS = (128, 128, 256, 512)  # stem, stage 1, stage 2, stage 3
NULA_PARAMS = 5_219_650


class NulaBlock(nn.Module):
    """One residual stage: optional downsampling, two 3x3 convolutions, SE, a 1x1 projection shortcut."""

    def __init__(self, in_channels: int, out_channels: int, downsample: str | None = None, se: bool = True) -> None:
        super().__init__()
        stride = 2 if downsample == "stride" else 1
        self.down = create_downsample(downsample, in_channels)
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.se = create_attention("se" if se else None, out_channels)
        self.shortcut = nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride, bias=False), nn.BatchNorm2d(out_channels))
        self.act = nn.SiLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.down(x)
        out = self.act(self.bn1(self.conv1(x)))
        out = self.se(self.bn2(self.conv2(out)))
        return self.act(out + self.shortcut(x))


class Nula(nn.Module):
    """The NULA classifier; ``(B, 3, 32, 32)`` normalised inputs -> ``(B, num_classes)`` logits."""

    input_size = (3, 32, 32)
    INPUT_NORMALIZATION = (NULA_MEAN, NULA_STD)  # what a checkpoint that records none was trained with

    def __init__(self, num_classes: int = 10, width: float = 1.0, downsample: str = "blur", se: bool = True,
                 dropout: float = 0.3, in_channels: int = 3) -> None:
        super().__init__()
        if width <= 0:
            raise InvalidInputError(f"NULA width must be positive, got {width}")
        stem, c1, c2, c3 = (max(1, round(c * width)) for c in NULA_WIDTHS)
        self.width, self.downsample_kind, self.use_se = width, downsample, se
        self.stem = nn.Sequential(nn.Conv2d(in_channels, stem, 3, 1, 1, bias=False), nn.BatchNorm2d(stem), nn.SiLU())
        self.stage1 = NulaBlock(stem, c1, None, se)
        self.stage2 = NulaBlock(c1, c2, downsample, se)
        self.stage3 = NulaBlock(c2, c3, downsample, se)
        self.pool = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.head = nn.Sequential(nn.Linear(c3, c3), nn.SiLU(), nn.Dropout(dropout), nn.Linear(c3, num_classes))

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The pooled stage-3 features ``(B, 512 * width)``."""
        return self.pool(self.stage3(self.stage2(self.stage1(self.stem(x)))))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))

    def extra_repr(self) -> str:
        params = sum(p.numel() for p in self.parameters())
        return (f"width={self.width:g}, downsample={self.downsample_kind}, se={self.use_se}, "
                f"params={params:,} ({params / 1e6:.2f}M)")


def nula(num_classes: int = 10) -> Nula:
    """NULA at the card's full width (5.22M parameters)."""
    return Nula(num_classes)


_NAME = re.compile(r"^nula(?:-w(?P<width>\d+(?:\.\d+)?))?(?P<flags>(?:-(?:strided|nose))*)$")


def nula_from_name(name: str) -> Nula | None:
    """``nula``, ``nula-w0.25``, ``nula-w0.25-strided``, ``nula-w0.25-nose`` -> the model; None for other names."""
    match = _NAME.match(name)
    if match is None:
        return None
    flags = set(filter(None, match["flags"].split("-")))
    return Nula(width=float(match["width"] or 1.0), downsample="stride" if "strided" in flags else "blur",
                se="nose" not in flags)


def nula_name(width: float = 1.0, downsample: str = "blur", se: bool = True) -> str:
    """The ``nullsight:`` name of a NULA configuration (inverse of :func:`nula_from_name`)."""
    name = "nula" if width == 1.0 else f"nula-w{width:g}"
    return name + ("-strided" if downsample == "stride" else "") + ("" if se else "-nose")


def to_rgb(images: torch.Tensor) -> torch.Tensor:
    """``(B, C, H, W)`` pixels as RGB, as the card's ``.convert("RGB")``: gray replicated, RGBA's alpha dropped."""
    if images.ndim != 4:
        raise InvalidInputError(f"expected images (B, C, H, W), got shape {tuple(images.shape)}")
    channels = images.shape[1]
    if channels == 3:
        return images
    if channels in (1, 2):  # L, LA: luminance replicated (PIL drops the alpha of LA)
        return images[:, :1].expand(-1, 3, -1, -1).contiguous()
    if channels == 4:  # RGBA -> RGB: PIL drops alpha without compositing
        return images[:, :3].contiguous()
    raise InvalidInputError(f"cannot convert {channels}-channel images to RGB (expected 1, 2, 3 or 4 channels)")

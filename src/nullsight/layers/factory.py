"""Short names to layers, so that an ablation is one argument (as timm's ``create_aa`` / ``create_attn``).

``create_downsample("blur", C)`` is a :class:`BlurPool2d`; ``"stride"`` and
``None`` give ``nn.Identity`` (the caller's convolution then carries the stride);
``create_attention("se", C)`` is a :class:`SqueezeExcite`, ``None`` an identity.
"""

from __future__ import annotations

from typing import Callable

from torch import nn

from ..errors import InvalidInputError
from ..registry import Registry
from .blur_pool import BlurPool2d
from .squeeze_excite import SqueezeExcite

DOWNSAMPLE_LAYERS: Registry[Callable[[int], nn.Module]] = Registry("downsampling layer", InvalidInputError)
ATTENTION_LAYERS: Registry[Callable[[int], nn.Module]] = Registry("attention layer", InvalidInputError)

DOWNSAMPLE_LAYERS.register("blur")(lambda channels: BlurPool2d(stride=2))
DOWNSAMPLE_LAYERS.register("stride")(lambda channels: nn.Identity())  # the convolution strides instead
ATTENTION_LAYERS.register("se")(lambda channels: SqueezeExcite(channels))


def create_downsample(kind: str | None, channels: int) -> nn.Module:
    """The anti-aliasing layer ``kind`` for ``channels`` channels, or ``nn.Identity`` when ``kind`` is None."""
    return nn.Identity() if kind is None else DOWNSAMPLE_LAYERS.get(kind)(channels)


def create_attention(kind: str | None, channels: int) -> nn.Module:
    """The channel-attention layer ``kind`` for ``channels`` channels, or ``nn.Identity`` when ``kind`` is None."""
    return nn.Identity() if kind is None else ATTENTION_LAYERS.get(kind)(channels)

"""Small reusable layers (timm's ``layers/`` habit): BlurPool, squeeze-and-excitation, and a factory by name."""

from .blur_pool import BlurPool2d, binomial_kernel, blur_pool2d
from .factory import create_attention, create_downsample
from .squeeze_excite import SqueezeExcite, se_bottleneck

__all__ = ["BlurPool2d", "SqueezeExcite", "binomial_kernel", "blur_pool2d", "create_attention", "create_downsample",
           "se_bottleneck"]

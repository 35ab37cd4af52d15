"""Fourier essential-frequency masks and adversarial frequency masks (seed 003).

``fourier``: the filter x_M = Re(IFFT(M * FFT(x))) (Eq. 1); ``optimise``: the batched mask
optimiser (CE + lambda * ||M||_1, Adam, per-image stopping); ``correlation``: SVCCA, cosine,
IdCor with TwoNN and its permutation test; ``defence``: class-level and robust essential masks.
"""

from .fourier import apply_mask, centred_spectrum
from .optimise import MaskConfig, MaskFit, optimise_masks, optimise_masks_loop

__all__ = ["MaskConfig", "MaskFit", "apply_mask", "centred_spectrum", "optimise_masks", "optimise_masks_loop"]

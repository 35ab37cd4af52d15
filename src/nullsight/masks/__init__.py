"""Fourier essential-frequency masks and adversarial frequency masks (seed 003).

``fourier``: the filter x_M = Re(IFFT(M * FFT(x))) (Eq. 1); ``optimise``: the batched mask
optimiser (CE + lambda * ||M||_1, Adam, per-image stopping); ``correlation``: SVCCA, cosine,
IdCor with TwoNN and its permutation test; ``defence``: class-level and robust essential masks;
``chunked`` and ``store``: ``masks compute`` chunk by chunk, resumable from a store of finished chunks.
"""

from ..lazy import lazy_exports

_EXPORTS = {
    "apply_mask": ".fourier",
    "centred_spectrum": ".fourier",
    "MaskConfig": ".optimise",
    "MaskFit": ".optimise",
    "optimise_masks": ".optimise",
    "optimise_masks_loop": ".optimise",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

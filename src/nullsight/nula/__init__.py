"""NULA checkpoints in use (seed 004): :func:`predict_images` and the transformers export :func:`hf_files`.

The architecture itself is :mod:`nullsight.models.nula` (the model zoo builds it by name); its layers are
:mod:`nullsight.layers` (BlurPool, squeeze-and-excitation); the kernels of its downsampling operators are
:mod:`nullsight.sampling`.
"""

from ..lazy import lazy_exports

_EXPORTS = {
    "PredictResult": ".predict",
    "predict_images": ".predict",
    "hf_files": ".hf_export",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

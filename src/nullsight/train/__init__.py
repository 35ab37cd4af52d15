"""One training loop for every model nullsight trains (seed 001's MLP first), DDP-ready under torchrun."""

from ..lazy import lazy_exports

_EXPORTS = {
    "TrainConfig": ".loop",
    "TrainResult": ".loop",
    "evaluate": ".loop",
    "train_classifier": ".loop",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

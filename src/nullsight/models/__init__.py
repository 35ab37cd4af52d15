"""Models by name (:func:`load_model`), safe checkpoints, and the architectures the seeds define."""

from .checkpoints import load_state_dict, save_state_dict
from .mlp import MLP
from .zoo import ARCHITECTURES, MODEL_SOURCES, LoadedModel, load_model

__all__ = ["ARCHITECTURES", "MLP", "MODEL_SOURCES", "LoadedModel", "load_model", "load_state_dict", "save_state_dict"]
from . import hf as _hf  # noqa: E402,F401  (registers the hf: model source)

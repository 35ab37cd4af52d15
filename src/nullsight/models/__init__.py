"""Models by name (:func:`load_model`), safe checkpoints, and the architectures the seeds define."""

from .checkpoints import load_state_dict, save_state_dict
from .classifier import Classifier, load_classifier, model_normalization
from .mlp import MLP
from .zoo import ARCHITECTURES, MODEL_SOURCES, LoadedModel, load_model

__all__ = ["ARCHITECTURES", "MLP", "MODEL_SOURCES", "Classifier", "LoadedModel", "load_classifier", "load_model",
           "load_state_dict", "model_normalization", "save_state_dict"]
from . import hf as _hf  # noqa: E402,F401  (registers the hf: model source)

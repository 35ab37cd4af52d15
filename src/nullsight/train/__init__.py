"""One training loop for every model nullsight trains (seed 001's MLP first), DDP-ready under torchrun."""

from .loop import TrainConfig, TrainResult, evaluate, train_classifier

__all__ = ["TrainConfig", "TrainResult", "evaluate", "train_classifier"]

"""Figures seed 001 (Li & Short, Sec. 4) reports, set beside nullsight's own."""

from __future__ import annotations

PAPER_TRAINING: dict[str, dict[str, float | int | str]] = {
    "mnist": {
        "train_accuracy_original": 0.9979, "train_confidence_original": 0.9998,
        "train_accuracy_rescaled": 0.9978, "train_confidence_rescaled": 0.9977,
        "null_dim": 752, "where": "Sec. 4.1: accuracy and mean confidence on the correctly predicted training data",
    },
    "fashion-mnist": {
        "train_confidence_original": 0.9974, "train_confidence_rescaled": 0.9722, "null_dim": 752,
        "where": "Sec. 4.2: mean confidence on the correctly predicted (filtered) data; accuracy not reported",
    },
}

"""Where trained checkpoints live: ``$NULLSIGHT_MODELS`` or ``~/.cache/nullsight/models``."""

from __future__ import annotations

import os
from pathlib import Path


def models_root() -> Path:
    """The models cache folder (not created here)."""
    env = os.environ.get("NULLSIGHT_MODELS")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "nullsight" / "models"


def checkpoint_name(arch: str, data: str, seed: int) -> str:
    """``nullsight:mlp`` trained on ``mnist`` with seed 0 -> ``mlp-mnist-seed0.safetensors``."""
    return f"{arch.split(':')[-1]}-{data.replace('/', '_').replace(':', '_')}-seed{seed}.safetensors"

"""Safe checkpoint loading and saving: safetensors, or ``torch.load(weights_only=True)``.

A pickle that would construct arbitrary objects (and so could run code) is
refused; nullsight never calls ``torch.load`` with ``weights_only=False``.
"""

from __future__ import annotations

import pickle
import zipfile
from pathlib import Path
from typing import Mapping

import torch
from torch import nn

from ..errors import CheckpointError, UnsafeCheckpointError
from ..io import atomic_path

SAFETENSORS_SUFFIXES = (".safetensors",)
PICKLE_SUFFIXES = (".pth", ".pt", ".bin", ".ckpt")
_NESTED_KEYS = ("state_dict", "model_state_dict", "model", "module", "net", "weights")


def load_state_dict(path: str | Path) -> dict[str, torch.Tensor]:
    """Tensors of a checkpoint file, unwrapped from common containers and ``module.`` prefixes."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"checkpoint not found: {path}")
    if path.suffix in SAFETENSORS_SUFFIXES:
        raw = _load_safetensors(path)
    else:
        raw = _load_pickle_safely(path)
    state = _unwrap(raw, path)
    if not state:
        raise CheckpointError(f"no tensors in checkpoint {path}")
    return state


def read_metadata(path: str | Path) -> dict[str, str]:
    """The string metadata of a ``.safetensors`` file (empty for other formats)."""
    path = Path(path)
    if path.suffix not in SAFETENSORS_SUFFIXES:
        return {}
    from safetensors import safe_open

    try:
        with safe_open(str(path), framework="pt") as handle:
            return dict(handle.metadata() or {})
    except Exception as exc:  # safetensors raises several types for bad headers
        raise CheckpointError(f"corrupt safetensors file {path}: {_first_line(exc)}") from None


def save_state_dict(
    model_or_state: nn.Module | Mapping[str, torch.Tensor], path: str | Path, metadata: Mapping[str, str] | None = None
) -> Path:
    """Write learned weights (no buffers marked non-persistent) as safetensors, atomically."""
    from safetensors.torch import save_file

    state = model_or_state.state_dict() if isinstance(model_or_state, nn.Module) else dict(model_or_state)
    tensors = {k: v.detach().cpu().contiguous() for k, v in state.items() if isinstance(v, torch.Tensor)}
    with atomic_path(path) as tmp:
        save_file(tensors, str(tmp), metadata={k: str(v) for k, v in (metadata or {}).items()})
    return Path(path)


def load_into(model: nn.Module, state: Mapping[str, torch.Tensor], source: str) -> nn.Module:
    """``model.load_state_dict(state)`` with a one-line error naming what does not fit."""
    missing, unexpected = _key_mismatch(model, state)
    if missing or unexpected:
        parts = []
        if missing:
            parts.append(f"missing {len(missing)} key(s) e.g. {', '.join(missing[:3])}")
        if unexpected:
            parts.append(f"unexpected {len(unexpected)} key(s) e.g. {', '.join(unexpected[:3])}")
        raise CheckpointError(f"checkpoint {source} does not fit the architecture: {'; '.join(parts)}")
    try:
        model.load_state_dict(dict(state), strict=True)
    except RuntimeError as exc:
        raise CheckpointError(f"checkpoint {source} does not fit the architecture: {_first_line(exc)}") from None
    return model


def _key_mismatch(model: nn.Module, state: Mapping[str, torch.Tensor]) -> tuple[list[str], list[str]]:
    expected = set(model.state_dict())
    given = set(state)
    return sorted(expected - given), sorted(given - expected)


def _load_safetensors(path: Path) -> dict[str, torch.Tensor]:
    from safetensors.torch import load_file

    try:
        return load_file(str(path), device="cpu")
    except Exception as exc:
        raise CheckpointError(f"corrupt safetensors file {path}: {_first_line(exc)}") from None


def _load_pickle_safely(path: Path) -> object:
    try:
        return torch.load(str(path), map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        message = str(exc)
        if "weights_only" in message or "Unsupported global" in message or "GLOBAL" in message:
            culprit = _unsupported_global(message)
            raise UnsafeCheckpointError(
                f"refusing to load {path}: the pickle would construct {culprit}, which could run code; "
                "re-save it as a plain state_dict or as .safetensors"
            ) from None
        raise CheckpointError(f"corrupt checkpoint {path}: {_first_line(exc)}") from None
    except (RuntimeError, EOFError, zipfile.BadZipFile, ValueError, OSError) as exc:
        raise CheckpointError(f"corrupt or unreadable checkpoint {path}: {_first_line(exc)}") from None


def _unsupported_global(message: str) -> str:
    for line in message.splitlines():
        if "Unsupported global" in line:
            return line.split("GLOBAL", 1)[-1].strip().split(" ")[0] or "an arbitrary object"
    return "an arbitrary object"


def _unwrap(raw: object, path: Path) -> dict[str, torch.Tensor]:
    obj = raw
    for _ in range(3):
        if isinstance(obj, Mapping) and not any(isinstance(v, torch.Tensor) for v in obj.values()):
            nested = next((obj[k] for k in _NESTED_KEYS if k in obj and isinstance(obj[k], Mapping)), None)
            if nested is None:
                break
            obj = nested
    if not isinstance(obj, Mapping):
        raise CheckpointError(f"{path} holds a {type(obj).__name__}, not a state_dict of tensors")
    state = {str(k): v for k, v in obj.items() if isinstance(v, torch.Tensor)}
    if state and all(k.startswith("module.") for k in state):
        state = {k[len("module."):]: v for k, v in state.items()}
    return state


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__

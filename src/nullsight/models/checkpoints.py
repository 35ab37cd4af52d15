"""Safe checkpoint loading and saving: safetensors, or ``torch.load(weights_only=True)``.

A pickle that would construct arbitrary objects (and so could run code) is
refused; nullsight never calls ``torch.load`` with ``weights_only=False``.
"""

from __future__ import annotations

import pickle
import struct
import warnings
from pathlib import Path
from typing import Mapping

import torch
from torch import nn

from ..errors import CheckpointError, NonFiniteWeightError, UnsafeCheckpointError, one_line
from ..io import atomic_path

SAFETENSORS_SUFFIXES = (".safetensors",)
PICKLE_SUFFIXES = (".pth", ".pt", ".bin", ".ckpt")
_NESTED_KEYS = ("state_dict", "model_state_dict", "model", "module", "net", "weights")


def load_state_dict(path: str | Path) -> dict[str, torch.Tensor]:
    """Tensors of a checkpoint file, unwrapped from common containers and ``module.`` prefixes."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"checkpoint not found: {path}")
    kind = sniff(path)
    if kind == "safetensors":
        raw = _load_safetensors(path)
    elif kind == "pickle":
        raw = _load_pickle_safely(path)
    else:
        raise CheckpointError(f"unreadable checkpoint {path}: neither safetensors nor a PyTorch save "
                              "(no safetensors header, zip archive or pickle)")
    state = _unwrap(raw, path)
    if not state:
        raise CheckpointError(f"no tensors in checkpoint {path}")
    check_finite(state, str(path))
    return state


def sniff(path: str | Path) -> str:
    """What a file holds by its first bytes, whatever its suffix: ``safetensors``, ``pickle`` (zip or raw) or ``unknown``."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(9)
            size = Path(path).stat().st_size
    except OSError as exc:
        raise CheckpointError(f"cannot read checkpoint {path}: {exc.strerror or exc}") from None
    if len(head) == 9 and head[8:9] == b"{" and struct.unpack("<Q", head[:8])[0] <= size - 8:
        return "safetensors"  # an 8-byte little-endian header length, then the JSON header
    if head[:4] == b"PK\x03\x04" or head[:1] == b"\x80":  # torch.save's zip archive, or a raw pickle (PROTO)
        return "pickle"
    return "unknown"


def check_finite(tensors: Mapping[str, torch.Tensor] | nn.Module, source: str) -> None:
    """Refuse NaN/Inf in any tensor (weights, biases, norm buffers), naming each one (one line)."""
    state = tensors.state_dict() if isinstance(tensors, nn.Module) else tensors
    bad = []
    for name, value in state.items():
        if (isinstance(value, torch.Tensor) and not nn.parameter.is_lazy(value) and value.device.type != "meta"
                and value.is_floating_point() and not torch.isfinite(value).all()):
            bad.append((name, int((~torch.isfinite(value)).sum())))
    if bad:
        listed = ", ".join(f"{name} ({n} value{'s' if n > 1 else ''})" for name, n in bad[:5])
        more = f" and {len(bad) - 5} more" if len(bad) > 5 else ""
        raise NonFiniteWeightError(f"{source}: NaN/Inf in {len(bad)} tensor(s): {listed}{more}")


def read_metadata(path: str | Path) -> dict[str, str]:
    """The string metadata of a safetensors file, whatever its suffix (empty for other formats)."""
    path = Path(path)
    if not path.is_file() or sniff(path) != "safetensors":
        return {}
    from safetensors import safe_open

    try:
        with safe_open(str(path), framework="pt") as handle:
            return dict(handle.metadata() or {})
    except Exception as exc:  # safetensors raises several types for bad headers
        raise CheckpointError(f"corrupt safetensors file {path}: {one_line(exc)}") from None


def save_state_dict(
    model_or_state: nn.Module | Mapping[str, torch.Tensor], path: str | Path, metadata: Mapping[str, str] | None = None
) -> Path:
    """Write learned weights (no buffers marked non-persistent) as safetensors, atomically; the same tensors and
    metadata always give the same bytes."""
    from safetensors.torch import save_file

    state = model_or_state.state_dict() if isinstance(model_or_state, nn.Module) else dict(model_or_state)
    tensors = {k: v.detach().cpu().contiguous() for k, v in state.items() if isinstance(v, torch.Tensor)}
    with atomic_path(path) as tmp:
        save_file(tensors, str(tmp), metadata={k: str(v) for k, v in (metadata or {}).items()})
        _sort_metadata(tmp)
    return Path(path)


def _sort_metadata(path: Path) -> None:
    """Sort a safetensors file's metadata in place: safetensors writes it in a random order (a Rust HashMap), so
    two writes of the same file would differ in bytes and sha256.  The header keeps its length (padded with
    spaces, as safetensors pads it), so the tensors do not move."""
    import json

    with open(path, "r+b") as handle:
        (size,) = struct.unpack("<Q", handle.read(8))
        header = json.loads(handle.read(size))
        if len(header.get("__metadata__") or {}) < 2:
            return
        header["__metadata__"] = dict(sorted(header["__metadata__"].items()))
        text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode()
        if len(text) <= size:
            handle.seek(8)
            handle.write(text.ljust(size, b" "))


def load_into(model: nn.Module, state: Mapping[str, torch.Tensor], source: str) -> nn.Module:
    """``model.load_state_dict(state)`` with a one-line error naming what does not fit."""
    problems = state_mismatch(model.state_dict(), state)
    if problems:
        raise CheckpointError(f"checkpoint {source} does not fit {type(model).__name__}: {problems}")
    try:
        model.load_state_dict(dict(state), strict=True)
    except RuntimeError as exc:
        raise CheckpointError(f"checkpoint {source} does not fit {type(model).__name__}: {one_line(exc)}") from None
    return model


def state_mismatch(expected: Mapping[str, torch.Tensor], given: Mapping[str, torch.Tensor], shown: int = 3) -> str:
    """Missing and unexpected keys and mismatched shapes, in one line ('' when the two fit)."""
    missing = sorted(set(expected) - set(given))
    unexpected = sorted(set(given) - set(expected))
    shapes = [f"{k} {_shape(given[k])} vs {_shape(expected[k])}" for k in expected
              if k in given and tuple(given[k].shape) != tuple(expected[k].shape)]
    parts = []
    for label, items in (("missing", missing), ("unexpected", unexpected)):
        if items:
            more = f" and {len(items) - shown} more" if len(items) > shown else ""
            parts.append(f"{label} {len(items)} key(s): {', '.join(items[:shown])}{more}")
    if shapes:
        more = f" and {len(shapes) - shown} more" if len(shapes) > shown else ""
        parts.append(f"{len(shapes)} shape mismatch(es) (checkpoint vs model): {', '.join(shapes[:shown])}{more}")
    return "; ".join(parts)


def _shape(t: torch.Tensor) -> str:
    return "x".join(str(d) for d in t.shape) or "scalar"


def _load_safetensors(path: Path) -> dict[str, torch.Tensor]:
    from safetensors.torch import load_file

    try:
        return load_file(str(path), device="cpu")
    except Exception as exc:
        raise CheckpointError(f"corrupt safetensors file {path}: {one_line(exc)}") from None


def _load_pickle_safely(path: Path) -> object:
    try:
        with open(path, "rb") as handle:  # a file object: torch.load would dispatch on a .safetensors suffix
            with warnings.catch_warnings():  # "Detected pickle protocol 4": the refusal below says it in one line
                warnings.simplefilter("ignore", UserWarning)
                return torch.load(handle, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        message = str(exc)
        if not _is_wellformed_pickle(path):  # garbage behind a pickle's first byte, not a hostile pickle
            raise CheckpointError(f"corrupt or unreadable checkpoint {path}: not a well-formed pickle "
                                  f"({_weights_unpickler_reason(message) or one_line(exc)})") from None
        if "Unsupported global" in message or "GLOBAL" in message:
            culprit = _unsupported_global(message)
            raise UnsafeCheckpointError(
                f"refusing to load {path}: the pickle would construct {culprit}, which could run code; "
                "re-save it as a plain state_dict or as .safetensors"
            ) from None
        if "weights only load failed" in message.lower() or "weightsunpickler" in message.lower():
            raise UnsafeCheckpointError(  # torch's own advice (turn weights_only off) is never passed on
                f"refusing to load {path}: it is a pickle holding more than tensors, and loading it could run code; "
                "re-save it as a plain state_dict or as .safetensors") from None
        raise CheckpointError(f"corrupt checkpoint {path}: {one_line(exc)}") from None
    except Exception as exc:  # noqa: BLE001 - a damaged pickle fails in the unpickler's own ways (IndexError, KeyError, ...)
        raise CheckpointError(f"corrupt or unreadable checkpoint {path}: {type(exc).__name__}: {one_line(exc)}") from None


def _is_wellformed_pickle(path: Path) -> bool:
    """Whether the file's pickle (the file itself, or the ``data.pkl`` of a zip save) reads as a sequence of pickle
    opcodes up to its STOP: read op by op with :mod:`pickletools`, nothing of it is run.  A real pickle that torch's
    weights-only loader refuses (an unknown global, a FRAME it does not take) passes; random bytes do not."""
    import pickletools
    import zipfile

    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                stream = archive.read(next(n for n in archive.namelist() if n.endswith("data.pkl")))
        else:
            stream = path.read_bytes()
        for _ in pickletools.genops(stream):  # stops after STOP
            pass
    except Exception:  # noqa: BLE001 - any failure to parse means "not a pickle"
        return False
    return True


def _weights_unpickler_reason(message: str) -> str:
    """The line of torch's weights-only refusal that says what it met (``Unsupported operand 7``)."""
    return next((line.strip() for line in message.splitlines() if line.strip().startswith("Unsupported")), "")


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



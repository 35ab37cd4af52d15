"""Pictures and tensors beside a result's JSON, referenced by relative path and sha256.

A result never holds pixels: a runner puts a tensor on the result as a pending
:class:`Artifact` (``Artifact.of(tensor, "png")``), the CLI saves it beside the
JSON in the command's output group (:func:`save_artifacts`, so a failure leaves
neither), and the JSON keeps ``{"path", "sha256", "shape", "kind"}``.  A loaded
result's artifacts are bound to the JSON's folder (:func:`bind_artifacts`) and
read back with :meth:`Artifact.load`, which checks the sha256.

``png`` holds an 8-bit picture (``(C, H, W)`` in [0, 1], 1 or 3 channels);
``safetensors`` holds any tensor losslessly (signed perturbations, masks, maps);
``csv`` holds a long table of typed records (one dataclass per row, each cell
JSON), read back with :meth:`Artifact.records`.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Literal

import torch

from .errors import InvalidInputError
from .results import NOT_SERIALISED, from_jsonable, to_jsonable

ArtifactKind = Literal["png", "safetensors"]
KINDS: tuple[str, ...] = ("png", "safetensors", "csv")
_KEY = "tensor"  # the one tensor of an artifact's safetensors file


@dataclass
class Artifact:
    """A file beside a result's JSON: ``path`` relative to the JSON's folder, its ``sha256``, the tensor's shape."""

    path: str
    sha256: str
    shape: list[int]
    kind: str  # "png" | "safetensors" | "csv"
    data: Any = field(default=None, repr=False, compare=False, metadata=NOT_SERIALISED)  # a pending tensor / records

    @classmethod
    def of(cls, tensor: torch.Tensor, kind: ArtifactKind = "safetensors") -> Artifact:
        """A pending artifact holding ``tensor`` until it is saved (``png``: ``(C, H, W)`` or ``(H, W)``, in [0, 1] or
        8-bit values; ``shape`` is then ``(C, H, W)``)."""
        if kind not in KINDS:
            raise ValueError(f"artifact kind must be one of {', '.join(KINDS)}, got {kind!r}")
        data = tensor.detach().cpu()
        if kind == "png":
            data = data[None] if data.ndim == 2 else data
            if data.ndim != 3 or data.shape[0] not in (1, 3):
                raise ValueError(f"a png artifact is (C, H, W) with 1 or 3 channels, got shape {tuple(tensor.shape)}")
        return cls("", "", list(data.shape), kind, data.contiguous())

    @classmethod
    def table(cls, records: list[Any]) -> Artifact:
        """A pending ``csv`` artifact of dataclass records (one row each; ``shape`` is ``[rows, columns]``)."""
        columns = len(dataclasses.fields(records[0])) if records else 0
        return cls("", "", [len(records), columns], "csv", list(records))

    @property
    def pending(self) -> bool:
        """Not saved yet: it holds its tensor and has no path."""
        return not self.path

    def encode(self) -> bytes:
        """The file's bytes (pending artifacts only)."""
        if self.data is None:
            raise ValueError("only a pending artifact (Artifact.of) holds a tensor to encode")
        if self.kind == "csv":
            return records_bytes(self.data)
        return png_bytes(self.data) if self.kind == "png" else tensor_bytes(self.data)

    def load(self, folder: str | Path | None = None) -> torch.Tensor:
        """The tensor (``png``: float32 ``(C, H, W)`` in [0, 1]); the file's sha256 must match, else one line."""
        if self.data is not None:
            return self.data
        if self.kind == "csv":
            raise InvalidInputError(f"artifact {self.path} is a table: read it with records()")
        raw, file = self._read(folder)
        tensor = png_tensor(raw) if self.kind == "png" else bytes_tensor(raw)
        if list(tensor.shape) != list(self.shape):
            raise InvalidInputError(f"artifact {file}: shape {list(tensor.shape)}, the result says {self.shape}")
        return tensor

    def records(self, record_type: type, folder: str | Path | None = None) -> list[Any]:
        """The rows of a ``csv`` artifact as ``record_type`` dataclasses (sha256 checked)."""
        if self.data is not None:
            return list(self.data)
        raw, file = self._read(folder)
        try:
            rows = [{k: json.loads(v) for k, v in row.items()} for row in csv.DictReader(io.StringIO(raw.decode()))]
        except (ValueError, UnicodeDecodeError) as exc:
            raise InvalidInputError(f"artifact {file}: not a table nullsight wrote ({exc})") from None
        return [from_jsonable(record_type, row) for row in rows]

    def _read(self, folder: str | Path | None) -> tuple[bytes, Path]:
        root = Path(folder) if folder is not None else getattr(self, "_folder", None)
        if root is None:
            raise InvalidInputError(f"artifact {self.path}: not bound to a result's folder (bind_artifacts)")
        file = Path(root) / self.path
        try:
            raw = file.read_bytes()
        except OSError as exc:
            raise InvalidInputError(f"cannot read artifact {file}: {exc.strerror or exc}") from None
        digest = hashlib.sha256(raw).hexdigest()
        if digest != self.sha256:
            raise InvalidInputError(f"artifact {file}: sha256 {digest[:12]}... does not match the result's "
                                    f"{self.sha256[:12]}... (the file changed after the result was written)")
        return raw, file


def png_bytes(pixels: torch.Tensor) -> bytes:
    """``(C, H, W)`` (or ``(H, W)``) pixels in [0, 1] (or 8-bit values) -> the bytes of an 8-bit PNG (no metadata: same pixels, same bytes)."""
    from PIL import Image

    pixels = pixels.detach().cpu()
    pixels = pixels[None] if pixels.ndim == 2 else pixels
    if pixels.dtype != torch.uint8:  # 8-bit values (a thumbnail) are stored as they are
        pixels = (pixels.to(torch.float32).clamp(0, 1) * 255).round().to(torch.uint8)
    array = pixels.permute(1, 2, 0).numpy()
    buffer = io.BytesIO()
    Image.fromarray(array[..., 0] if array.shape[2] == 1 else array).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def png_tensor(data: bytes) -> torch.Tensor:
    """PNG bytes -> float32 ``(C, H, W)`` in [0, 1] (grey: 1 channel, else RGB)."""
    import numpy as np
    from PIL import Image

    try:
        image = Image.open(io.BytesIO(data))
        image = image.convert("L" if image.mode in ("L", "1", "I;16", "I") else "RGB")
    except Exception as exc:  # PIL raises many kinds for a damaged file
        raise InvalidInputError(f"not a readable PNG: {exc}") from None
    array = torch.from_numpy(np.array(image, dtype=np.uint8))
    array = array[None] if array.ndim == 2 else array.permute(2, 0, 1)
    return array.to(torch.float32) / 255


def tensor_bytes(tensor: torch.Tensor) -> bytes:
    """One tensor as the bytes of a safetensors file."""
    from safetensors.torch import save

    return save({_KEY: tensor.detach().cpu().contiguous()})


def bytes_tensor(data: bytes) -> torch.Tensor:
    """The tensor :func:`tensor_bytes` wrote."""
    from safetensors.torch import load

    try:
        return load(data)[_KEY]
    except Exception as exc:  # safetensors raises its own error types
        raise InvalidInputError(f"not a readable safetensors artifact: {exc}") from None


def records_bytes(records: list[Any]) -> bytes:
    """Dataclass records as CSV (a header of field names; every cell JSON, so None, lists and maps survive)."""
    buffer = io.StringIO()
    rows = [to_jsonable(r) for r in records]
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]) if rows else [], lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: json.dumps(v, sort_keys=True) for k, v in row.items()})
    return buffer.getvalue().encode()


def walk(obj: Any, name: str = "") -> Iterator[tuple[str, Artifact, Callable[[Artifact | None], None]]]:
    """Every artifact inside a result: ``(dotted name, artifact, setter)`` over dataclass fields, lists and dicts."""
    if isinstance(obj, Artifact):
        return
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        items: Iterator[tuple[Any, Any]] = ((f.name, getattr(obj, f.name)) for f in dataclasses.fields(obj)
                                             if f.metadata.get("json", True))
        setter = lambda key: lambda value: setattr(obj, key, value)  # noqa: E731
    elif isinstance(obj, dict):
        items, setter = iter(list(obj.items())), lambda key: lambda value: obj.__setitem__(key, value)  # noqa: E731
    elif isinstance(obj, list):
        items, setter = iter(list(enumerate(obj))), lambda key: lambda value: obj.__setitem__(key, value)  # noqa: E731
    else:
        return
    for key, value in items:
        child = f"{name}.{key}" if name else str(key)
        if isinstance(value, Artifact):
            yield child, value, setter(key)
        else:
            yield from walk(value, child)


def file_name(stem: str, name: str, kind: str) -> str:
    """``deit-tiny`` + ``preview.original`` -> ``deit-tiny.preview.original.png`` (odd characters become ``-``)."""
    return f"{stem}.{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.{kind}"


def save_artifacts(result: Any, json_path: str | Path | None) -> list[Path]:
    """Write every artifact of ``result`` that holds its data beside ``json_path`` (atomically, in the current
    output group).

    Each gets its path (relative to the JSON's folder) and sha256; saving again beside another JSON (a command
    writing two copies) writes the files again there.  With no file to sit beside (``None`` or ``-``: the JSON goes
    to stdout) such artifacts are dropped: their fields become ``None``.
    """
    from .io import is_stdout, write_bytes

    written: list[Path] = []
    for name, artifact, set_value in list(walk(result)):
        if artifact.data is None:  # loaded from a file: it is where it is
            continue
        if json_path is None or is_stdout(json_path):
            set_value(None)
            continue
        target = Path(json_path)
        data = artifact.encode()
        artifact.path = file_name(target.stem, name, artifact.kind)
        artifact.sha256 = hashlib.sha256(data).hexdigest()
        written.append(write_bytes(target.parent / artifact.path, data))
    return written


def bind_artifacts(result: Any, folder: str | Path | None) -> Any:
    """Bind every artifact of a loaded ``result`` to the folder of its JSON (where :meth:`Artifact.load` reads)."""
    if folder is not None:
        for _, artifact, _ in walk(result):
            object.__setattr__(artifact, "_folder", Path(folder))
    return result


def load_artifact(artifact: Artifact | None) -> torch.Tensor | None:
    """:meth:`Artifact.load`, or ``None`` for a missing artifact."""
    return None if artifact is None else artifact.load()

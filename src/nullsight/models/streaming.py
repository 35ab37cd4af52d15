"""Tensors of a large checkpoint one at a time, memory-mapped: a ``.safetensors`` file or a sharded index.

A 7B-parameter model is 14 GB in fp16; building it to audit it would need
that much memory and more.  The safetensors format is a JSON header (name,
dtype, shape, byte range of every tensor) followed by raw bytes, so each
tensor can be viewed in place through a memory map, used, and its pages
released (``MADV_DONTNEED``) before the next one: the resident memory is one
tensor (plus what is computed from it), whatever the checkpoint's size.
A sharded checkpoint (``model.safetensors.index.json``) names the shard file
of every tensor in its ``weight_map``.
"""

from __future__ import annotations

import json
import mmap
import struct
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Mapping

import torch

from ..errors import CheckpointError

INDEX_SUFFIX = ".safetensors.index.json"
_DTYPES = {"F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
           "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8,
           "BOOL": torch.bool}
_MAX_HEADER = 100 * 2**20


@dataclass(frozen=True)
class TensorEntry:
    """One tensor as its header describes it: where its bytes are, without reading them."""

    name: str
    file: Path
    dtype: str
    shape: tuple[int, ...]
    begin: int
    end: int

    @property
    def nbytes(self) -> int:
        return self.end - self.begin


def is_streamable(path: str | Path) -> bool:
    """A ``.safetensors`` file, a sharded index, or a directory holding either."""
    path = Path(path)
    return path.name.endswith((INDEX_SUFFIX, ".safetensors")) or (path.is_dir() and _in_directory(path) is not None)


def checkpoint_files(path: str | Path) -> list[Path]:
    """The ``.safetensors`` files behind ``path`` (a file, an index, or a directory), in order."""
    path = Path(path)
    if path.is_dir():
        found = _in_directory(path)
        if found is None:
            raise CheckpointError(f"{path} holds no model.safetensors or model.safetensors.index.json")
        path = found
    if not path.is_file():
        raise CheckpointError(f"checkpoint not found: {path}")
    if path.name.endswith(INDEX_SUFFIX):
        try:
            weight_map = json.loads(path.read_text())["weight_map"]
        except (ValueError, KeyError, TypeError) as exc:
            raise CheckpointError(f"{path} is not a safetensors index (no weight_map: {exc})") from None
        shards = sorted({path.parent / shard for shard in weight_map.values()})
        missing = [s.name for s in shards if not s.is_file()]
        if missing:
            raise CheckpointError(f"{path} names {len(missing)} missing shard(s), e.g. {missing[0]}")
        return shards
    return [path]


def _in_directory(path: Path) -> Path | None:
    for name in ("model.safetensors.index.json", "model.safetensors"):
        if (path / name).is_file():
            return path / name
    singles = sorted(path.glob("*.safetensors"))
    return singles[0] if len(singles) == 1 else None


def read_entries(files: list[Path]) -> list[TensorEntry]:
    """Every tensor's header entry, file by file (only the headers are read)."""
    entries = []
    for file in files:
        header, offset = _header(file)
        for name, info in header.items():
            if name == "__metadata__":
                continue
            begin, end = info["data_offsets"]
            entries.append(TensorEntry(name, file, info["dtype"], tuple(info["shape"]), offset + begin, offset + end))
    return entries


def _header(file: Path) -> tuple[dict, int]:
    try:
        with open(file, "rb") as handle:
            (size,) = struct.unpack("<Q", handle.read(8))
            if size > _MAX_HEADER:
                raise ValueError(f"header of {size} bytes")
            return json.loads(handle.read(size)), 8 + size
    except (OSError, ValueError, struct.error) as exc:
        raise CheckpointError(f"corrupt safetensors file {file}: {exc}") from None


def iter_tensors(entries: list[TensorEntry]) -> Iterator[tuple[TensorEntry, torch.Tensor | None]]:
    """``(entry, tensor)`` one at a time, read through a memory map (``None`` for dtypes torch lacks, e.g. fp8).

    Each tensor is copied out of the map and the map's pages for it released, so only the tensors the caller
    keeps stay resident.
    """
    by_file: dict[Path, list[TensorEntry]] = {}
    for entry in entries:
        by_file.setdefault(entry.file, []).append(entry)
    for file, items in by_file.items():
        with open(file, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            for entry in items:
                dtype = _DTYPES.get(entry.dtype)
                if dtype is None or entry.nbytes == 0:
                    yield entry, None
                    continue
                yield entry, _copy_out(mapped, entry, dtype)
                _release(mapped, entry)


def _copy_out(mapped: mmap.mmap, entry: TensorEntry, dtype: torch.dtype) -> torch.Tensor:
    view = memoryview(mapped)[entry.begin:entry.end]
    try:
        with warnings.catch_warnings():  # the map is read-only; the copy below is what is used
            warnings.simplefilter("ignore")
            return torch.frombuffer(view, dtype=dtype).reshape(entry.shape).clone()
    finally:
        view.release()


def _release(mapped: mmap.mmap, entry: TensorEntry) -> None:
    """Drop the pages of ``entry`` from this process's resident memory (they stay in the page cache)."""
    page = mmap.PAGESIZE
    start = entry.begin - entry.begin % page
    try:
        mapped.madvise(mmap.MADV_DONTNEED, start, entry.end - start)
    except (AttributeError, OSError, ValueError):  # not on this platform: the kernel reclaims them when needed
        pass


def save_sharded(
    state: Mapping[str, torch.Tensor] | Iterable[tuple[str, torch.Tensor]], directory: str | Path,
    max_shard_bytes: int, metadata: Mapping[str, str] | None = None,
) -> Path:
    """Write ``state`` as ``model-0000K-of-0000N.safetensors`` shards plus ``model.safetensors.index.json``.

    ``state`` may be a generator of ``(name, tensor)``: only one shard is held in memory at a time.
    """
    from safetensors.torch import save_file

    from ..io import write_text

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    items = state.items() if isinstance(state, Mapping) else state
    written: list[tuple[Path, list[str]]] = []
    shard: dict[str, torch.Tensor] = {}
    size = total = 0

    def flush() -> None:
        tmp = directory / f".shard-{len(written) + 1:05d}.tmp"
        save_file(shard, str(tmp), metadata=dict(metadata or {}))
        written.append((tmp, list(shard)))
        shard.clear()

    for name, tensor in items:
        nbytes = tensor.numel() * tensor.element_size()
        if shard and size + nbytes > max_shard_bytes:
            flush()
            size = 0
        shard[name] = tensor.contiguous()
        size += nbytes
        total += nbytes
    if shard:
        flush()
    weight_map = {}
    for k, (tmp, names) in enumerate(written, start=1):
        file = f"model-{k:05d}-of-{len(written):05d}.safetensors"
        tmp.replace(directory / file)
        weight_map.update({name: file for name in names})
    index = directory / "model.safetensors.index.json"
    write_text(index, json.dumps({"metadata": {"total_size": total}, "weight_map": weight_map}, indent=1))
    return index

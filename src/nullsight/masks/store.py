"""The resume store of ``nullsight masks compute``: a folder of finished chunks that a rerun resumes from.

One file per finished chunk, ``<dir>/<configuration key>/<set>.<chunk>.safetensors.gz``: the chunk's tensors
(:func:`~nullsight.masks.chunked.chunk_tensors`) as safetensors bytes, gzip-compressed (the masks are clamped to
[0, 1] and mostly exact zeros, so they shrink several times).  Each file is written to a temporary name and renamed
into place, so a Ctrl-C, a SIGTERM or a killed process loses at most the chunk being computed and never leaves half
a file.  A file, once written, never changes: a folder kept under version control grows by whole chunks, and a run
on another machine resumes from a checkout of it.
"""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path
from urllib.parse import quote

import torch

FILE_NAME = ".masks-resume"
"""The store's default folder inside ``--masks-dir`` (git-ignored; deleted once its run completes)."""
SUFFIX = ".safetensors.gz"


class ChunkStore:
    """Finished chunks of mask sets, one compressed file each, keyed by the configuration that made them."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def _file(self, key: str, name: str, chunk: int) -> Path:
        return self.path / key / f"{quote(name, safe='')}.{chunk}{SUFFIX}"

    def get(self, key: str, name: str, chunk: int) -> dict[str, torch.Tensor] | None:
        """The tensors stored for chunk ``chunk`` of set ``name`` under ``key``, or None."""
        from safetensors.torch import load

        file = self._file(key, name, chunk)
        return load(gzip.decompress(file.read_bytes())) if file.is_file() else None

    def put(self, key: str, name: str, chunk: int, tensors: dict[str, torch.Tensor]) -> None:
        """Store one finished chunk: the file is there whole or not at all."""
        from safetensors.torch import save

        from ..io import atomic_path

        blob = save({k: v.detach().cpu().contiguous() for k, v in tensors.items()})
        file = self._file(key, name, chunk)
        file.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(file, now=True) as tmp:  # renamed at once: a resume file must survive a later failure
            tmp.write_bytes(gzip.compress(blob, compresslevel=6, mtime=0))

    def count(self, key: str | None = None) -> int:
        """Stored chunks (of ``key``, or of every configuration)."""
        folder = self.path if key is None else self.path / key
        return sum(1 for _ in folder.rglob(f"*{SUFFIX}")) if folder.is_dir() else 0

    def close(self) -> None:
        """Nothing to release (kept so the CLI can treat every store alike)."""

    def remove(self) -> None:
        """Delete the store (its finished run's files are in place: nothing is left to resume)."""
        shutil.rmtree(self.path, ignore_errors=True)

"""The resume store of ``nullsight masks compute``: an embedded SQLite file that a rerun resumes from.

One row per finished chunk: (configuration key, mask set, chunk) -> the chunk's tensors as safetensors bytes
(:func:`~nullsight.masks.chunked.chunk_tensors`).  Each row is committed in its own transaction, so a Ctrl-C, a
SIGTERM or a killed process loses at most the chunk being computed and never leaves half a row.  The file is
created with the first finished chunk (a run that fails before it leaves nothing) and removed by the CLI once the
run's mask files are in place.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import torch

FILE_NAME = ".masks-resume.sqlite"
"""The store's name inside ``--masks-dir`` (git-ignored: a full run's chunks take hundreds of MB)."""

_SCHEMA = """CREATE TABLE IF NOT EXISTS chunks (
    key TEXT NOT NULL, name TEXT NOT NULL, chunk INTEGER NOT NULL, tensors BLOB NOT NULL,
    PRIMARY KEY (key, name, chunk))"""


class ChunkStore:
    """Finished chunks of mask sets in one SQLite file, keyed by the configuration that made them."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._db: sqlite3.Connection | None = None

    def _open(self, create: bool) -> sqlite3.Connection | None:
        if self._db is None and (create or self.path.is_file()):
            if create:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(self.path), timeout=30)
            self._db.execute(_SCHEMA)
            self._db.commit()
        return self._db

    def get(self, key: str, name: str, chunk: int) -> dict[str, torch.Tensor] | None:
        """The tensors stored for chunk ``chunk`` of set ``name`` under ``key``, or None."""
        from safetensors.torch import load

        db = self._open(create=False)
        row = None if db is None else db.execute("SELECT tensors FROM chunks WHERE key = ? AND name = ? AND chunk = ?",
                                                 (key, name, chunk)).fetchone()
        return None if row is None else load(bytes(row[0]))

    def put(self, key: str, name: str, chunk: int, tensors: dict[str, torch.Tensor]) -> None:
        """Store one finished chunk and commit it."""
        from safetensors.torch import save

        blob = save({k: v.detach().cpu().contiguous() for k, v in tensors.items()})
        db = self._open(create=True)
        with db:  # one transaction: the row is there whole or not at all
            db.execute("INSERT OR REPLACE INTO chunks VALUES (?, ?, ?, ?)", (key, name, chunk, blob))

    def count(self, key: str | None = None) -> int:
        """Stored chunks (of ``key``, or of every configuration)."""
        db = self._open(create=False)
        if db is None:
            return 0
        query, args = ("SELECT COUNT(*) FROM chunks", ()) if key is None else \
            ("SELECT COUNT(*) FROM chunks WHERE key = ?", (key,))
        return int(db.execute(query, args).fetchone()[0])

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def remove(self) -> None:
        """Close and delete the store (its finished run's files are in place: nothing is left to resume)."""
        self.close()
        for path in (self.path, self.path.with_name(self.path.name + "-journal")):
            path.unlink(missing_ok=True)

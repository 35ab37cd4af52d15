"""The stage cache: SQLite, one row per (recipe, stage, mode), holding the key its outputs were made with.

A stage is done when its row's key equals the key of the inputs now (command, code, files it reads) and every
output it recorded is present with the same sha256.  A run interrupted mid-stage recorded nothing for that stage,
so the next run starts it again (training stages resume from their own ``.resume.pt``).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

SCHEMA = """CREATE TABLE IF NOT EXISTS stages (
    recipe TEXT NOT NULL, stage TEXT NOT NULL, mode TEXT NOT NULL, key TEXT NOT NULL, outputs TEXT NOT NULL,
    finished TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP, PRIMARY KEY (recipe, stage, mode))"""


def file_sha256(path: str | Path) -> str:
    """The sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class StageStore:
    """The cache of finished stages, in one SQLite file (created on first use)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path)
        self._db.execute(SCHEMA)

    def done(self, recipe: str, stage: str, mode: str, key: str) -> list[tuple[str, str]] | None:
        """The recorded ``(path, sha256)`` outputs when the stage finished with ``key`` and they are intact."""
        row = self._db.execute("SELECT key, outputs FROM stages WHERE recipe = ? AND stage = ? AND mode = ?",
                               (recipe, stage, mode)).fetchone()
        if row is None or row[0] != key:
            return None
        outputs = [tuple(o) for o in json.loads(row[1])]
        if all(Path(p).is_file() and file_sha256(p) == h for p, h in outputs):
            return outputs  # type: ignore[return-value]
        return None

    def record(self, recipe: str, stage: str, mode: str, key: str, outputs: list[tuple[str, str]]) -> None:
        with self._db:
            self._db.execute("INSERT OR REPLACE INTO stages (recipe, stage, mode, key, outputs) VALUES (?, ?, ?, ?, ?)",
                             (recipe, stage, mode, key, json.dumps(outputs)))

    def close(self) -> None:
        self._db.close()

"""The atlas's store: an embedded SQLite database that a rerun resumes from.

SQLite, not DuckDB: it ships with Python (no dependency, no server), and the atlas writes one small row at a time
from one process, committing each as it arrives, which is SQLite's strength (a Ctrl-C loses at most the row being
written); DuckDB is built for column scans over large tables, which the atlas never does (its export is one
``SELECT``, and Parquet is written by pyarrow).

Two tables: ``rows``, one per (architecture, weights, input size, nullsight version) holding the row's JSON; and
``signatures``, one verdict per (first-operator signature, seed, nullsight version), shared by every architecture
with that stem.  ``weights`` is ``random-init seed S`` for generic weights, so two seeds are two rows.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from ..results import from_jsonable, to_jsonable
from .result import AtlasRow
from .verdict import Decision

DEFAULT_STORE = Path("results/atlas/.atlas.sqlite")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS rows (
    architecture TEXT NOT NULL, weights TEXT NOT NULL, input_size TEXT NOT NULL, version TEXT NOT NULL,
    status TEXT NOT NULL, row TEXT NOT NULL,
    PRIMARY KEY (architecture, weights, input_size, version));
CREATE TABLE IF NOT EXISTS signatures (
    signature TEXT NOT NULL, seed INTEGER NOT NULL, version TEXT NOT NULL, decision TEXT NOT NULL,
    PRIMARY KEY (signature, seed, version));
"""


class AtlasStore:
    """Rows and shared signature verdicts of the atlas, in one SQLite file (``":memory:"`` for none)."""

    def __init__(self, path: str | Path = DEFAULT_STORE, version: str | None = None) -> None:
        from ..versions import versions

        self.path = path
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.version = version or versions()["nullsight"]
        self._db = sqlite3.connect(str(path), timeout=30)
        self._db.executescript(_SCHEMA)
        self._db.commit()

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "AtlasStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- rows ---

    def done(self, weights: str) -> set[str]:
        """Architectures with a stored row for ``weights`` at this version (any input size: each architecture has
        one default input size)."""
        cursor = self._db.execute("SELECT architecture FROM rows WHERE weights = ? AND version = ?", (weights, self.version))
        return {a for (a,) in cursor}

    def put(self, row: AtlasRow, weights: str) -> None:
        """Store ``row`` (replacing the same key) and commit: an interrupted run keeps every finished row."""
        size = "x".join(str(v) for v in row.input_size) or "-"
        self._db.execute("DELETE FROM rows WHERE architecture = ? AND weights = ? AND version = ?",
                         (row.architecture, weights, self.version))
        self._db.execute("INSERT INTO rows VALUES (?, ?, ?, ?, ?, ?)",
                         (row.architecture, weights, size, self.version, row.status,
                          json.dumps(to_jsonable(row), sort_keys=True)))
        self._db.commit()

    def rows(self, weights: str | None = None) -> list[AtlasRow]:
        """Every stored row at this version (of ``weights`` when given), sorted by architecture."""
        query = "SELECT row FROM rows WHERE version = ?" + (" AND weights = ?" if weights else "") + " ORDER BY architecture"
        args = (self.version, weights) if weights else (self.version,)
        return [from_jsonable(AtlasRow, json.loads(text)) for (text,) in self._db.execute(query, args)]

    def forget(self, architectures: list[str], weights: str) -> None:
        """Drop the rows of ``architectures`` (``--refresh``)."""
        self._db.executemany("DELETE FROM rows WHERE architecture = ? AND weights = ? AND version = ?",
                             [(a, weights, self.version) for a in architectures])
        self._db.commit()

    # --- shared verdicts ---

    def decision(self, signature: str, seed: int) -> Decision | None:
        found = self._db.execute("SELECT decision FROM signatures WHERE signature = ? AND seed = ? AND version = ?",
                                 (signature, seed, self.version)).fetchone()
        return None if found is None else Decision(**json.loads(found[0]))

    def put_decision(self, signature: str, seed: int, decision: Decision) -> None:
        fields = {k: v for k, v in to_jsonable(decision).items() if k != "vector"}
        self._db.execute("INSERT OR REPLACE INTO signatures VALUES (?, ?, ?, ?)",
                         (signature, seed, self.version, json.dumps(fields, sort_keys=True)))
        self._db.commit()

    def forget_decisions(self, seed: int, signatures: list[str]) -> None:
        """Drop the shared verdicts of ``signatures`` (``--refresh`` of the rows that use them)."""
        self._db.executemany("DELETE FROM signatures WHERE signature = ? AND seed = ? AND version = ?",
                             [(s, seed, self.version) for s in signatures])
        self._db.commit()

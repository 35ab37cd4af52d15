"""``describe_sources``: what nullsight can load, and whether it is on this machine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .source import DATA_SOURCES, DataSource


def describe_sources(root: str | Path | None = None) -> list[dict[str, Any]]:
    """One dict per source (aliases folded in): name, available, where, shape, n_train, n_test, how_to_get."""
    where_root = Path(root).expanduser() if root is not None else None
    seen: dict[str, DataSource] = {}
    for name in DATA_SOURCES.names():
        source = DATA_SOURCES.get(name)
        seen.setdefault(source.name, source)
    rows = []
    for source in seen.values():
        found = source.locate(where_root)
        rows.append(
            {
                "name": source.name,
                "title": source.title,
                "aliases": list(source.aliases),
                "available": found is not None,
                "where": str(found) if found is not None else None,
                "shape": list(source.shape),
                "n_train": source.splits.get("train"),
                "n_test": source.splits.get("test"),
                "how_to_get": source.how_to_get,
            }
        )
    return rows

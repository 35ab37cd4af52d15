"""``fetch_data``: put a named data source on this machine (or check that it is there)."""

from __future__ import annotations

from pathlib import Path

from .source import DATA_SOURCES


def fetch_data(name: str, root: str | Path | None = None, quiet: bool = False) -> Path:
    """Fetch source ``name`` under ``root`` (default :func:`data_root`) unless present; returns its folder.

    Sources with nothing to download (digits, foolbox samples) are only checked;
    any failure is a one-line :class:`DataNotFoundError` saying what to do.
    """
    source = DATA_SOURCES.get(name)
    where = Path(root).expanduser() if root is not None else None
    if source.fetch is None:
        return source.find(where)
    return source.fetch(where, quiet)

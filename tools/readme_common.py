"""What the README generators (tools/readme_*.py) share: the repository root, reading a result JSON if it is there,
the path a table cites, and one result per data set."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Callable, Iterable

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))


def load_json(path: Path) -> dict | None:
    """The JSON at ``path``, or None where it has not been made yet."""
    return json.loads(path.read_text()) if path.is_file() else None


def missing(rel: str, target: str) -> str:
    """What a block says while ``results/<rel>`` has not been made: which make target makes it."""
    return f"_`results/{rel}` is not there yet: `make {target}` makes it._\n"


def rel(path: Path) -> str:
    """``path`` relative to the repository, as inline code."""
    return f"`{path.relative_to(ROOT)}`"


def per_data_set(directory: Path, name_for: Callable[[str], str], datasets: Iterable[str]) -> list[tuple[str, Path, dict]]:
    """``(data set, path, result)`` for each data set whose result ``directory / name_for(data)`` exists."""
    out = []
    for data in datasets:
        path = directory / name_for(data)
        result = load_json(path)
        if result is not None:
            out.append((data, path, result))
    return out

"""Find and read nullsight result JSON files (those with a top-level ``"kind"`` key)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Iterable

from ..errors import InvalidInputError, one_line


class LoadedResult(dict):
    """A result's JSON object and the folder of its file (where its artifacts lie)."""

    folder: Path | None = None


def load_results(paths: Iterable[str | os.PathLike[str]]) -> list[dict[str, Any]]:
    """The results in ``paths``: JSON files, and directories searched recursively.

    Directories are searched for ``*.json`` in sorted order (hidden files and
    folders skipped); JSON without a ``"kind"`` key is not a result and is
    skipped; a JSON list contributes each of its results; each remembers its file's folder (``.folder``). Invalid JSON raises :class:`InvalidInputError` naming the file.
    """
    results, seen = [], set()
    for file in _json_files(paths):
        key = file.resolve()
        if key in seen:
            continue
        seen.add(key)
        data = _read_json(file)
        items = data if isinstance(data, list) else [data]  # a command may write several results at once
        found = [LoadedResult(item) for item in items if _is_result(item)]
        for item in found:
            item.folder = file.parent
        for item in found:
            _check_typed(item, file)
        results += found
    return results


def _check_typed(result: dict[str, Any], file: Path) -> None:
    """A result of a registered kind must load with its class's ``from_dict``: else one line naming the file."""
    from ..results import load_result_kinds

    kinds = load_result_kinds()
    if result["kind"] not in kinds:
        return
    try:
        kinds.get(result["kind"]).from_dict(result)
    except (InvalidInputError, TypeError, ValueError, KeyError, AttributeError) as exc:
        raise InvalidInputError(f"{file}: malformed {result['kind']} result: {one_line(exc)}") from None


def _is_result(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("kind"), str) and bool(data["kind"])


def _json_files(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found = (p for p in path.rglob("*.json") if p.is_file())
            files += sorted(p for p in found if not any(part.startswith(".") for part in p.relative_to(path).parts))
        elif path.is_file():
            files.append(path)
        else:
            raise InvalidInputError(f"no such file or directory: {path}")
    return files


def _read_json(file: Path) -> Any:
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InvalidInputError(f"{file}: invalid JSON ({exc.msg} at line {exc.lineno})") from None
    except UnicodeDecodeError:
        raise InvalidInputError(f"{file}: not a UTF-8 text file") from None
    except OSError as exc:
        raise InvalidInputError(f"cannot read {file}: {exc.strerror or exc}") from None

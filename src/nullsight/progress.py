"""Progress bars on stderr (rich), switched off by ``--quiet`` or when stderr is not a terminal."""

from __future__ import annotations

import sys
from typing import Callable, Iterable, Iterator, TypeVar

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

T = TypeVar("T")
# What the cores accept to report progress: ``track(items, description, total)`` yielding the items.
Tracker = Callable[[Iterable[T], str, int], Iterator[T]]

_stderr = Console(stderr=True)


def track(items: Iterable[T], description: str, total: int | None = None, quiet: bool = False) -> Iterator[T]:
    """Iterate over ``items`` with a progress bar unless ``quiet`` (or stderr is not a TTY)."""
    if quiet or not sys.stderr.isatty():
        yield from items
        return
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=_stderr, transient=True) as bar:
        task = bar.add_task(description, total=total)
        for item in items:
            yield item
            bar.advance(task)

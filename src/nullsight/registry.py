"""A small name -> factory registry, as timm does for models.

Everything nullsight chooses by name (model sources, data sources, report
sections) is registered with a decorator next to its definition.
"""

from __future__ import annotations

import difflib
from typing import Callable, Generic, Iterator, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
    """Maps names to objects; unknown names fail with the closest suggestions."""

    def __init__(self, kind: str, error: type[Exception] = KeyError) -> None:
        self.kind = kind
        self._error = error
        self._items: dict[str, T] = {}

    def register(self, name: str) -> Callable[[T], T]:
        """Decorator registering ``obj`` under ``name``."""

        def decorator(obj: T) -> T:
            if name in self._items:
                raise ValueError(f"{self.kind} {name!r} is registered twice")
            self._items[name] = obj
            return obj

        return decorator

    def get(self, name: str) -> T:
        """The object registered as ``name``; raises with suggestions if unknown."""
        try:
            return self._items[name]
        except KeyError:
            raise self._error(unknown_name_message(self.kind, name, self._items)) from None

    def names(self) -> list[str]:
        return sorted(self._items)

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())


def unknown_name_message(kind: str, name: str, known: object) -> str:
    """'unknown <kind> NAME; did you mean A, B?' with the closest known names."""
    candidates = [str(k) for k in known]  # type: ignore[union-attr]
    close = difflib.get_close_matches(name, candidates, n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    if not close and len(candidates) <= 12:
        hint = f"; known: {', '.join(sorted(candidates))}"
    return f"unknown {kind} {name!r}{hint}"

"""What a named data source is, and the registry that holds them by name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ..errors import DataNotFoundError, InvalidInputError
from ..registry import Registry
from .base import data_root


class RawSplit(NamedTuple):
    """One split as read from disk: images (N, C, H, W) uint8 or float in [0, 1], labels (N,)."""

    images: np.ndarray
    labels: np.ndarray
    classes: list[str]


Locator = Callable[["Path | None"], "Path | None"]
Reader = Callable[[Path, str], RawSplit]
Fetcher = Callable[["Path | None", bool], Path]


@dataclass(frozen=True)
class DataSource:
    """A data set nullsight knows by name: where to find it, how to read and fetch it."""

    name: str
    title: str
    shape: tuple[int, int, int]
    splits: dict[str, int]
    mean: tuple[float, ...]
    std: tuple[float, ...]
    how_to_get: str
    locate: Locator
    read: Reader
    fetch: Fetcher | None = None
    aliases: tuple[str, ...] = field(default=())
    home: str | None = None  # folder under data_root() where it is fetched to, if any

    def find(self, root: Path | None = None) -> Path:
        """The directory holding the data; DataNotFoundError (one line) if absent."""
        found = self.locate(root)
        if found is None:
            place = self.default_place(root)
            where = f" under {place}" if place is not None else ""
            raise DataNotFoundError(f"{self.title} not found{where}; {self.how_to_get}")
        return found

    def default_place(self, root: Path | None) -> Path | None:
        """Where this source is looked for first (and fetched to), if it lives under a data root."""
        if root is not None:
            return Path(root).expanduser()
        return data_root() / self.home if self.home else None

    def check_split(self, split: str) -> None:
        if split not in self.splits:
            raise InvalidInputError(f"{self.name} has no split {split!r}; use one of {', '.join(self.splits)}")


DATA_SOURCES: Registry[DataSource] = Registry("data source", DataNotFoundError)


def register(source: DataSource) -> DataSource:
    """Register ``source`` under its name and aliases."""
    for name in (source.name, *source.aliases):
        DATA_SOURCES.register(name)(source)
    return source

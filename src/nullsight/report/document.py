"""The building blocks of a report: sections holding tables and figures.

Section builders (see :mod:`nullsight.report.sections`) turn result JSON into
these plain dataclasses; :mod:`nullsight.report.render` turns them into HTML.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass
class Figure:
    """A PNG image (see :func:`nullsight.report.figures.figure_png`) with a title and caption."""

    title: str
    png: bytes
    caption: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.png, (bytes, bytearray)) or not bytes(self.png).startswith(PNG_SIGNATURE):
            raise TypeError(f"figure {self.title!r}: png must be the bytes of a PNG image")

    @property
    def data_uri(self) -> str:
        """The image as a ``data:image/png;base64,...`` URI, for embedding."""
        return "data:image/png;base64," + base64.b64encode(bytes(self.png)).decode("ascii")


@dataclass
class Table:
    """A titled table; numeric cells are right-aligned when rendered."""

    title: str
    columns: list[str]
    rows: list[list[object]]

    def __post_init__(self) -> None:
        for i, row in enumerate(self.rows):
            if len(row) != len(self.columns):
                raise ValueError(
                    f"table {self.title!r}: row {i} has {len(row)} cells for {len(self.columns)} columns"
                )


@dataclass
class Section:
    """One titled part of the report.

    ``summary`` is plain text with a little markdown (blank-line paragraphs,
    ``- `` bullet lists, ``**bold**``, ```code```); ``details`` is shown as
    collapsed JSON.
    """

    title: str
    kind: str
    summary: str = ""
    tables: list[Table] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    details: dict[str, Any] | None = None

"""HTML reports: every nullsight result JSON becomes one or more sections of one page.

Each kind of result (``"audit"``, ``"collision"``, ...) registers a section
builder in :data:`SECTION_BUILDERS`; kinds without one get a generic section.
"""

from __future__ import annotations

from .build import build_report, write_report
from .document import Figure, Section, Table
from .figures import figure_png, image_grid, new_figure
from .load import load_results
from .sections import SECTION_BUILDERS, generic_sections, section_for

__all__ = [
    "SECTION_BUILDERS",
    "Figure",
    "Section",
    "Table",
    "build_report",
    "figure_png",
    "generic_sections",
    "image_grid",
    "load_results",
    "new_figure",
    "section_for",
    "write_report",
]

"""A griffe extension for the API reference: the two docstring habits of this code base that Google style, as
griffe reads it, would render wrongly.

- ``Example:`` (singular) is an admonition to griffe, so a doctest's output line (``[0.7, 0.0]``) would be rendered
  as markdown (a link); it is read as ``Examples:``, the section that shows ``>>>`` blocks as code.
- Sphinx roles (``:mod:`nullsight.collisions.search```, ``:class:`~nullsight.results.Result```) are shown as the
  code they name.
- A doctest at the docstring's own margin (a module's example, outside an ``Examples:`` section) is fenced as code,
  not read as markdown quotes.
"""

from __future__ import annotations

import re

import griffe

SINGULAR = re.compile(r"^(\s*)Example:\s*$", re.M)
ROLE = re.compile(r":(?:mod|class|func|meth|data|attr|exc|obj):`~?([^`]+)`")


def fence_doctests(text: str) -> str:
    """Fence each run of doctest lines that starts at the margin (``>>>`` up to the next blank line)."""
    out, inside = [], False
    for line in text.split("\n"):
        if not inside and line.startswith(">>>"):
            out.append("```pycon")
            inside = True
        elif inside and not line.strip():
            out.append("```")
            inside = False
        out.append(line)
    return "\n".join(out + (["```"] if inside else []))


def clean(text: str) -> str:
    """``text`` with ``Example:`` read as ``Examples:``, Sphinx roles as inline code, margin doctests fenced.

    Examples:
        >>> clean("See :mod:`nullsight.linalg` and :class:`~nullsight.results.Result`.")
        'See `nullsight.linalg` and `nullsight.results.Result`.'
        >>> clean(">>> 1 + 1\\n2").split("\\n")
        ['```pycon', '>>> 1 + 1', '2', '```']
    """
    return fence_doctests(ROLE.sub(r"`\1`", SINGULAR.sub(r"\1Examples:", text)))


class DocstringHabits(griffe.Extension):
    def on_instance(self, *, obj: griffe.Object, **kwargs) -> None:
        if obj.docstring is not None:
            obj.docstring.value = clean(obj.docstring.value)

"""A griffe extension for the API reference: the two docstring habits of this code base that Google style, as
griffe reads it, would render wrongly.

- ``Example:`` (singular) is an admonition to griffe, so a doctest's output line (``[0.7, 0.0]``) would be rendered
  as markdown (a link); it is read as ``Examples:``, the section that shows ``>>>`` blocks as code.
- Sphinx roles (``:mod:`nullsight.collisions.search```, ``:class:`~nullsight.results.Result```) are shown as the
  code they name.
"""

from __future__ import annotations

import re

import griffe

SINGULAR = re.compile(r"^(\s*)Example:\s*$", re.M)
ROLE = re.compile(r":(?:mod|class|func|meth|data|attr|exc|obj):`~?([^`]+)`")


def clean(text: str) -> str:
    """``text`` with ``Example:`` read as ``Examples:`` and Sphinx roles as inline code.

    Examples:
        >>> clean("See :mod:`nullsight.linalg` and :class:`~nullsight.results.Result`.")
        'See `nullsight.linalg` and `nullsight.results.Result`.'
    """
    return ROLE.sub(r"`\1`", SINGULAR.sub(r"\1Examples:", text))


class DocstringHabits(griffe.Extension):
    def on_instance(self, *, obj: griffe.Object, **kwargs) -> None:
        if obj.docstring is not None:
            obj.docstring.value = clean(obj.docstring.value)

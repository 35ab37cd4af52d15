"""A griffe extension for the API reference: a docstring's ``Example:`` section is read as ``Examples:``.

Google style's singular ``Example:`` is an admonition to griffe, so a doctest's output line (``[0.7, 0.0]``) would
be rendered as markdown (a link); the plural is the examples section that shows ``>>>`` blocks as code.
"""

from __future__ import annotations

import re

import griffe

SINGULAR = re.compile(r"^(\s*)Example:\s*$", re.M)


class SingularExamples(griffe.Extension):
    def on_instance(self, *, obj: griffe.Object, **kwargs) -> None:
        if obj.docstring is not None:
            obj.docstring.value = SINGULAR.sub(r"\1Examples:", obj.docstring.value)

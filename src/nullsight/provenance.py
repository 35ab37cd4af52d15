"""What made a result: one provenance base every result kind carries, and one helper that stamps it.

Every result (:class:`nullsight.results.Result`) carries the same seven fields, flat in its JSON so that results
written before this base existed load unchanged: the ``model`` and ``data`` it was computed on, the ``split`` and
``seed``, the ``versions`` of the code, the ``command`` that made it and when it was ``created``.  A field that does
not apply to a kind (the model of a synthetic figure) stays null.

Runners fill what they know (model, data, split, seed); :func:`stamp` fills the rest once, where a result is saved,
and writes every path the result names relative to the working folder (:func:`portable_path`), as the command is.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import ClassVar, TypeVar

from .versions import versions as code_versions

P = TypeVar("P", bound="Provenance")


@dataclass(kw_only=True)
class Provenance:
    """Model, data, split, seed, versions, command and creation time of a result (keyword-only, all optional)."""

    model: str | None = None
    data: str | None = None
    split: str | None = None
    seed: int | None = None
    versions: dict[str, str] = field(default_factory=dict)
    command: str | None = None
    created: str | None = None

    PATH_FIELDS: ClassVar[tuple[str, ...]] = ()
    """Fields besides ``model`` and ``data`` that may hold a file path (a checkpoint, a network), made portable."""


def portable_path(text: str) -> str:
    """``text`` without the machine it ran on: an absolute path inside the working folder (the repository) relative
    to it, one in the temporary folder by its name there, one under the home folder as ``~/...``; a ``prefix:PATH``
    (``folder:/abs/dir``) keeps its prefix.  Anything else is returned unchanged."""
    prefix, sep, rest = text.partition(":")
    if sep and os.path.isabs(rest) and not os.path.isabs(text) and "/" not in prefix:
        return prefix + sep + portable_path(rest)
    if not os.path.isabs(text):
        return text
    path = os.path.normpath(text)
    for root, lead in ((os.getcwd(), ""), (tempfile.gettempdir(), ""), (str(Path.home()), "~/")):
        root = os.path.normpath(root)
        if root != os.sep and path.startswith(root + os.sep):
            return lead + path[len(root) + 1:]
    return text


def stamp(result: P, *, command: str | None = None) -> P:
    """Fill ``result``'s provenance where it is saved: the code's versions, the time (UTC, ISO 8601), the command
    (when given) and its paths made portable.  Returns the same object."""
    result.versions = code_versions()
    result.created = datetime.now(timezone.utc).isoformat(timespec="seconds")
    if command is not None:
        result.command = command
    for name in ("model", "data", *type(result).PATH_FIELDS):
        value = getattr(result, name, None)
        if isinstance(value, str):
            setattr(result, name, portable_path(value))
    return result


PROVENANCE_KEYS = ("model", "data", "split", "seed", "versions", "command", "created")


def fill_provenance(data: dict) -> dict:
    """The JSON of a result written before every kind carried the whole base, with the provenance keys it lacks
    made explicit (null, ``versions`` empty): what :meth:`~nullsight.results.Result.to_dict` writes for it now.
    A migration of the wire format's layout only: such a file loads unchanged without it."""
    return {**{key: {} if key == "versions" else None for key in PROVENANCE_KEYS}, **data}

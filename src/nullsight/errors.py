"""Errors that the CLI turns into a one-line message and a non-zero exit.

Every problem with what a user handed us (a model name, a file, a data set, a
path) raises a :class:`NullsightError` subclass whose message names the
problem in one line.  Bugs in nullsight itself are left as ordinary exceptions.
"""

from __future__ import annotations


class NullsightError(Exception):
    """Base class: a user-facing problem, reported as one line."""

    exit_code: int = 2


class ModelNotFoundError(NullsightError):
    """A model name or file that nullsight cannot resolve."""


class CheckpointError(NullsightError):
    """A checkpoint that is missing, corrupt, unsafe or does not fit its architecture."""


class UnsafeCheckpointError(CheckpointError):
    """A pickle that would execute code on load."""


class DataNotFoundError(NullsightError):
    """A data source that is not on this machine; the message says how to get it."""


class InvalidInputError(NullsightError):
    """Input of the wrong shape, range or content (NaN, Inf, non-image file...)."""


class NonFiniteWeightError(InvalidInputError):
    """A weight holding NaN or Inf values."""


class OutputError(NullsightError):
    """An output path that cannot be written."""


def one_line(exc: BaseException, limit: int | None = None) -> str:
    """An exception as one line: its message with line breaks and runs of spaces folded (the type's name when empty).

    The only exception-to-line helper: every one-line error message that quotes another library's exception
    goes through it.  ``limit`` cuts a long message to that many characters.
    """
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if limit is None or len(text) <= limit else text[:limit - 3] + "..."

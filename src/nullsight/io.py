"""Atomic file output: results are written to a temporary file, then renamed.

A command that fails half way never leaves a half-written JSON, CSV or image.
Inside :func:`output_group` (the CLI opens one around every command) the renames
wait until the whole command has succeeded, so the outputs of one command
appear together or not at all: a failure, Ctrl-C or SIGTERM removes every
temporary file and leaves no image beside a missing JSON.
"""

from __future__ import annotations

import contextvars
import json
import os
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

from .errors import OutputError

STDOUT = "-"
"""The output path that means standard output (``-o -``)."""

_live: set[Path] = set()  # temporary files not yet renamed or removed (what SIGTERM cleans up)
_made: list[Path] = []  # folders atomic writes created (removed again, where still empty, after a failure)
_group: contextvars.ContextVar[list[tuple[Path, Path]] | None] = contextvars.ContextVar("nullsight_output_group",
                                                                                         default=None)
_after: contextvars.ContextVar[list[Callable[[], None]] | None] = contextvars.ContextVar("nullsight_after_commit",
                                                                                         default=None)


@contextmanager
def atomic_path(path: str | os.PathLike[str], now: bool = False) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it onto ``path`` on success.

    Inside :func:`output_group` the rename waits for the group to finish, unless
    ``now`` (a download cache or a resume file, which must survive a failure).
    """
    target = Path(path)
    check_writable(target)
    try:
        _make_folder(target.parent)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
    os.close(fd)
    tmp = Path(tmp_name)
    _live.add(tmp)
    try:
        yield tmp
        pending = None if now else _group.get()
        if pending is None:
            _commit(tmp, target)
        else:
            for old in [p for p in pending if p[1] == target]:  # the same file written twice: keep the last
                pending.remove(old)
                _discard(old[0])
            pending.append((tmp, target))
    except BaseException:
        _discard(tmp)
        raise


@contextmanager
def output_group() -> Iterator[list[tuple[Path, Path]]]:
    """Every :func:`atomic_path` inside is renamed into place only when the block ends without an exception.

    Yields the pending ``(temporary, target)`` pairs.  Nested groups join the outer one.
    """
    if _group.get() is not None:
        yield _group.get()  # type: ignore[misc]
        return
    pending: list[tuple[Path, Path]] = []
    callbacks: list[Callable[[], None]] = []
    _made.clear()
    token, after = _group.set(pending), _after.set(callbacks)
    try:
        yield pending
    except BaseException:
        for tmp, _ in pending:
            _discard(tmp)
        _remove_made_folders()
        raise
    else:
        _made.clear()
        for i, (tmp, target) in enumerate(pending):
            try:
                _commit(tmp, target)
            except OutputError:
                for rest, _ in pending[i + 1 :]:
                    _discard(rest)
                raise
        for callback in callbacks:
            callback()
    finally:
        _group.reset(token)
        _after.reset(after)


def after_commit(callback: Callable[[], None]) -> None:
    """Call ``callback`` once the current :func:`output_group`'s files are all in place (at once outside a group),
    and never after a failure: a resume store is removed only when the outputs it was kept for exist."""
    callbacks = _after.get()
    if callbacks is None:
        callback()
    else:
        callbacks.append(callback)


def remove_temporaries() -> list[Path]:
    """Remove every temporary file an unfinished write left (a signal handler's cleanup); returns them."""
    removed = sorted(_live)
    for tmp in removed:
        _discard(tmp)
    _remove_made_folders()
    return removed


def _make_folder(folder: Path) -> None:
    """``mkdir -p``, remembering the folders it created."""
    missing = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for made in reversed(missing):
        made.mkdir(exist_ok=True)
        _made.append(made)


def _remove_made_folders() -> None:
    """Remove the folders atomic writes created that are still empty (a failed command leaves no empty folder)."""
    for folder in reversed(_made):
        try:
            folder.rmdir()
        except OSError:
            pass
    _made.clear()


def _commit(tmp: Path, target: Path) -> None:
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; results are ordinary files
        os.replace(tmp, target)
    except OSError as exc:
        _discard(tmp)
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
    _live.discard(tmp)


def _discard(tmp: Path) -> None:
    try:
        tmp.unlink(missing_ok=True)
    except OSError:
        pass
    _live.discard(tmp)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def check_writable(path: str | os.PathLike[str], directory: bool = False) -> Path:
    """Refuse, before any work, an output path that cannot be written; creates nothing.

    ``directory``: ``path`` is a folder that files will be written into.
    """
    target = Path(path)
    if str(path) == "":
        raise OutputError("the output path is empty; name a file (or - for stdout)")
    try:
        return _check_writable(target, directory)
    except OSError as exc:  # a name too long, a loop of links...
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None


def _check_writable(target: Path, directory: bool) -> Path:
    if len(target.name.encode()) > 255:
        raise OutputError(f"cannot write {target.name[:40]}...: the file name is longer than 255 bytes")
    if not directory and target.is_dir():
        raise OutputError(f"cannot write {target}: it is a directory; name a file")
    if directory and target.exists() and not target.is_dir():
        raise OutputError(f"cannot write into {target}: it is a file, not a directory")
    folder = target if directory else target.parent
    existing = folder.absolute()
    while not existing.exists():  # the nearest existing ancestor must let us create the rest
        existing = existing.parent
    if not existing.is_dir():
        raise OutputError(f"cannot write {target}: {existing} is not a directory")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write {target}: permission denied on {existing}")
    return target


def is_stdout(path: str | os.PathLike[str] | None) -> bool:
    """Whether an output option names standard output (``-``)."""
    return path is not None and str(path) == STDOUT


def write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` to ``path`` atomically (``-``: standard output)."""
    if is_stdout(path):
        sys.stdout.write(text)
        sys.stdout.flush()
        return Path(STDOUT)
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def to_json(obj: Any) -> str:
    """Stable JSON (sorted keys, 2-space indent) so that results diff cleanly."""
    return json.dumps(obj, indent=2, sort_keys=True, allow_nan=False, default=_default) + "\n"


def write_json(path: str | os.PathLike[str], obj: Any) -> Path:
    """Write ``obj`` as stable JSON to ``path`` atomically."""
    return write_text(path, to_json(obj))


def _default(obj: Any) -> Any:
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    if hasattr(obj, "item"):
        return obj.item()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def write_png(path: str | os.PathLike[str], pixels: Any) -> Path:
    """``(C, H, W)`` pixels in [0, 1] (a tensor) -> an 8-bit PNG (1 or 3 channels), atomically."""
    from .artifacts import png_bytes

    return write_bytes(path, png_bytes(pixels))


def write_npy(path: str | os.PathLike[str], array: Any) -> Path:
    """A tensor or array as ``.npy`` (lossless), atomically."""
    import numpy as np

    values = array.detach().cpu().numpy() if hasattr(array, "detach") else np.asarray(array)
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as handle:
            np.save(handle, values)
    return Path(path)

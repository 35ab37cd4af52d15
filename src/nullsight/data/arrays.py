"""Arrays handed in as files (``.npy``, ``.csv``): numbers only, not empty, finite, named by file and index when not.

Every command that reads inputs from an array file goes through
:func:`load_array` or :func:`load_csv`, so a string-typed, empty, pickled or NaN-holding file is
one line naming what is wrong and where, never a traceback deeper down.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import InvalidInputError, one_line


def load_array(path: str | Path, low: float | None = None, high: float | None = None) -> np.ndarray:
    """A ``.npy`` file's numeric array (no pickles), checked by :func:`check_array`."""
    path = Path(path)
    if not path.is_file():
        raise InvalidInputError(f"no such file: {path}")
    with open(path, "rb") as handle:
        if handle.read(6) != b"\x93NUMPY":
            raise InvalidInputError(f"cannot read {path}: not a .npy array (no NumPy header)")
    try:
        array = np.load(path, allow_pickle=False)
    except ValueError as exc:  # object arrays need pickle, which is refused
        raise InvalidInputError(f"cannot read {path}: {one_line(exc)}") from None
    except (OSError, EOFError) as exc:
        raise InvalidInputError(f"cannot read {path}: not a .npy array ({one_line(exc)})") from None
    return check_array(array, str(path), low, high)


def check_array(array: np.ndarray, source: str, low: float | None = None, high: float | None = None) -> np.ndarray:
    """``array`` if it holds finite numbers (within ``[low, high]`` if given), else one line naming ``source`` and the index."""
    if array.dtype.kind not in "biuf":
        raise InvalidInputError(f"{source} holds {array.dtype} values, not numbers")
    if array.size == 0:
        raise InvalidInputError(f"{source} is empty (shape {tuple(array.shape)})")
    if array.dtype.kind == "f":
        bad = ~np.isfinite(array)
        if bad.any():
            index = tuple(int(i) for i in np.argwhere(bad)[0])
            raise InvalidInputError(f"{source} holds {int(bad.sum())} NaN/Inf value(s), the first at index {index}")
    for bound, outside, word in ((low, array < low if low is not None else None, "below"),
                                 (high, array > high if high is not None else None, "above")):
        if outside is not None and outside.any():
            index = tuple(int(i) for i in np.argwhere(outside)[0])
            raise InvalidInputError(f"{source} holds {int(outside.sum())} value(s) {word} {bound:g}, the first "
                                    f"{array[index]:g} at index {index}")
    return array


def load_csv(path: str | Path) -> np.ndarray:
    """A ``.csv`` file of numbers (comma-separated, a row a line) as a 2-D fp64 array, checked by :func:`check_array`."""
    path = Path(path)
    if not path.is_file():
        raise InvalidInputError(f"no such file: {path}")
    try:
        array = np.loadtxt(path, delimiter=",", ndmin=2, dtype=np.float64)
    except ValueError as exc:
        raise InvalidInputError(f"{path}: not a CSV of numbers ({one_line(exc, 120)})") from None
    return check_array(array, str(path))

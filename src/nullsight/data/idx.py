"""A small, fast reader (and writer) for the IDX format of MNIST-style data sets.

Layout: two zero bytes, a type code, the number of dimensions, then one
big-endian uint32 per dimension, then the values (big-endian).  Files may be
gzip-compressed; that is recognised from the content, not the name.
"""

from __future__ import annotations

import gzip
import struct
import zlib
from pathlib import Path

import numpy as np

from ..errors import DataNotFoundError, InvalidInputError
from ..io import atomic_path

_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
_CODES = {(np.dtype(v).kind, np.dtype(v).itemsize): k for k, v in _TYPES.items()}


def read_idx(path: str | Path) -> np.ndarray:
    """The array stored in an IDX file (plain or gzip), in native byte order."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataNotFoundError(f"no such IDX file: {path}") from None
    except OSError as exc:
        raise InvalidInputError(f"cannot read IDX file {path}: {exc.strerror or exc}") from None
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise InvalidInputError(f"corrupt gzip in IDX file {path}: {exc}") from None
    return parse_idx(raw, str(path))


def parse_idx(raw: bytes, name: str = "<bytes>") -> np.ndarray:
    """Parse the bytes of an (uncompressed) IDX file; ``name`` is used in errors."""
    if len(raw) < 4 or raw[:2] != b"\x00\x00" or raw[2] not in _TYPES:
        raise InvalidInputError(f"not an IDX file (bad magic number): {name}")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if ndim == 0 or len(raw) < header:
        raise InvalidInputError(f"corrupt IDX file (bad header): {name}")
    dims = struct.unpack(f">{ndim}I", raw[4:header])
    dtype = np.dtype(_TYPES[raw[2]])
    expected = header + int(np.prod(dims, dtype=np.int64)) * dtype.itemsize
    if len(raw) != expected:
        what = "truncated" if len(raw) < expected else "trailing bytes in"
        raise InvalidInputError(f"{what} IDX file {name}: {len(raw)} bytes, expected {expected} for shape {dims}")
    data = np.frombuffer(raw, dtype=dtype, offset=header).reshape(dims)
    return data if dtype.itemsize == 1 else data.astype(dtype.newbyteorder("="))


def write_idx(path: str | Path, array: np.ndarray, compress: bool | None = None) -> Path:
    """Write ``array`` as IDX (gzip if ``compress`` or, by default, if the name ends in .gz)."""
    path = Path(path)
    array = np.asarray(array)
    code = _CODES.get((array.dtype.kind, array.dtype.itemsize))
    if code is None:
        raise InvalidInputError(f"IDX cannot store dtype {array.dtype}")
    if array.ndim == 0 or array.ndim > 255:
        raise InvalidInputError(f"IDX needs 1 to 255 dimensions, got {array.ndim}")
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    raw = header + array.astype(_TYPES[code]).tobytes()
    if compress if compress is not None else path.suffix == ".gz":
        raw = gzip.compress(raw, compresslevel=6)
    with atomic_path(path, now=True) as tmp:  # a data cache, not a command output
        tmp.write_bytes(raw)
    return path

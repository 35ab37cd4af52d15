"""IDX reader/writer: round trips, and corrupt files named in the error."""

from __future__ import annotations

import gzip

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nullsight.data import read_idx, write_idx
from nullsight.errors import DataNotFoundError, InvalidInputError


@pytest.mark.parametrize("name", ["images-idx3-ubyte", "images-idx3-ubyte.gz"])
def test_round_trip_uint8(tmp_path, name):
    arr = np.arange(3 * 4 * 5, dtype=np.uint8).reshape(3, 4, 5)
    path = write_idx(tmp_path / name, arr)
    assert (path.read_bytes()[:2] == b"\x1f\x8b") == name.endswith(".gz")
    out = read_idx(path)
    assert out.dtype == np.uint8 and out.shape == (3, 4, 5)
    np.testing.assert_array_equal(out, arr)


def test_header_layout_is_the_mnist_one(tmp_path):
    path = write_idx(tmp_path / "labels", np.array([7, 2, 1], dtype=np.uint8))
    assert path.read_bytes() == b"\x00\x00\x08\x01\x00\x00\x00\x03\x07\x02\x01"


@settings(max_examples=25, deadline=None)
@given(
    dtype=st.sampled_from(["u1", "i1", ">i2", "<i4", "f4", "f8"]),
    shape=st.lists(st.integers(0, 4), min_size=1, max_size=4),
    gz=st.booleans(),
)
def test_round_trip_any_type(tmp_path_factory, dtype, shape, gz):
    rng = np.random.default_rng(0)
    arr = (rng.normal(size=shape) * 50).astype(dtype)
    path = write_idx(tmp_path_factory.mktemp("idx") / "x", arr, compress=gz)
    out = read_idx(path)
    assert out.shape == arr.shape and out.dtype.kind == arr.dtype.kind
    np.testing.assert_array_equal(out, arr)


@pytest.mark.parametrize(
    "raw, words",
    [
        (b"\x08\x03\x00\x00", "magic"),
        (b"\x00\x00\x08\x03\x00\x00", "header"),
        (b"\x00\x00\x08\x01\x00\x00\x00\x05\x01\x02", "truncated"),
        (b"\x00\x00\x08\x01\x00\x00\x00\x01\x01\x02", "trailing"),
        (b"", "magic"),
    ],
)
def test_corrupt_file_is_named(tmp_path, raw, words):
    path = tmp_path / "bad-idx1-ubyte"
    path.write_bytes(raw)
    with pytest.raises(InvalidInputError, match=words) as err:
        read_idx(path)
    assert str(path) in str(err.value)


def test_truncated_gzip(tmp_path):
    path = tmp_path / "bad.gz"
    path.write_bytes(gzip.compress(b"\x00\x00\x08\x01\x00\x00\x00\x03\x01\x02\x03")[:-6])
    with pytest.raises(InvalidInputError, match="bad.gz"):
        read_idx(path)


def test_gzip_holding_a_truncated_idx(tmp_path):
    path = tmp_path / "short.gz"
    path.write_bytes(gzip.compress(b"\x00\x00\x08\x01\x00\x00\x00\x09\x01"))
    with pytest.raises(InvalidInputError, match="truncated IDX file .*short.gz"):
        read_idx(path)


def test_missing_file(tmp_path):
    with pytest.raises(DataNotFoundError, match="no such IDX file"):
        read_idx(tmp_path / "nope")


def test_unsupported_dtype(tmp_path):
    with pytest.raises(InvalidInputError, match="dtype"):
        write_idx(tmp_path / "x", np.zeros(3, dtype=np.complex64))

"""Array inputs (.npy): numeric, non-empty, finite; what is wrong is named with the file and the index."""

import numpy as np
import pytest

from nullsight.data.arrays import check_array, load_array
from nullsight.errors import InvalidInputError


def _saved(tmp_path, array, name="a.npy"):
    np.save(tmp_path / name, array)
    return tmp_path / name


@pytest.mark.parametrize("array, match", [
    (np.array(["a", "b"]), "<U1 values, not numbers"),
    (np.zeros((0, 3)), r"empty \(shape \(0, 3\)\)"),
    (np.array([[0.0, 1.0], [np.nan, 0.5]]), r"1 NaN/Inf value\(s\), the first at index \(1, 0\)"),
    (np.array([0.0, np.inf], dtype=np.float16), r"index \(1,\)"),
])
def test_bad_arrays_are_named(tmp_path, array, match):
    path = _saved(tmp_path, array)
    with pytest.raises(InvalidInputError, match=match) as info:
        load_array(path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)


def test_pickles_and_junk_are_refused(tmp_path):
    with pytest.raises(InvalidInputError, match="cannot read"):
        load_array(_saved(tmp_path, np.array([{}], dtype=object)))
    (tmp_path / "junk.npy").write_bytes(b"junk" * 10)
    with pytest.raises(InvalidInputError, match="no NumPy header"):
        load_array(tmp_path / "junk.npy")


def test_bounds_name_the_first_value_outside():
    with pytest.raises(InvalidInputError, match=r"1 value\(s\) above 1, the first 1e\+30 at index \(2,\)"):
        check_array(np.array([0.0, 0.5, 1e30]), "x.npy", 0.0, 1.0)
    assert check_array(np.arange(4, dtype=np.uint8), "x", 0, 255).sum() == 6

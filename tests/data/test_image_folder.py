"""Image folders and single image files."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from nullsight.data import load_data, load_image
from nullsight.errors import DataNotFoundError, InvalidInputError


def _png(path, size=(6, 4), mode="RGB", value=0):
    path.parent.mkdir(parents=True, exist_ok=True)
    h, w = size
    shape = (h, w, 3) if mode == "RGB" else (h, w)
    Image.fromarray(np.full(shape, value, dtype=np.uint8), mode).save(path)
    return path


def test_flat_folder_sorted(tmp_path):
    for i, name in enumerate(["b.png", "a.png", "c.png"]):
        _png(tmp_path / name, value=10 * (i + 1))
    batch = load_data(str(tmp_path))
    assert batch.images.shape == (3, 3, 6, 4) and batch.images.dtype == torch.float32
    assert batch.labels.tolist() == [-1, -1, -1] and batch.classes == []
    assert batch.images[:, 0, 0, 0].mul(255).round().tolist() == [20, 10, 30]  # a, b, c
    assert batch.mean == (0.485, 0.456, 0.406) and batch.name == f"folder:{tmp_path}"
    assert len(load_data(f"folder:{tmp_path}", n=2)) == 2


def test_class_subfolders(tmp_path):
    _png(tmp_path / "cat" / "1.png")
    _png(tmp_path / "cat" / "2.png")
    _png(tmp_path / "dog" / "1.png")
    batch = load_data(f"folder:{tmp_path}")
    assert batch.classes == ["cat", "dog"] and batch.labels.tolist() == [0, 0, 1]


def test_grayscale_folder(tmp_path):
    _png(tmp_path / "x.png", mode="L", value=255)
    batch = load_data(tmp_path)
    assert batch.images.shape == (1, 1, 6, 4) and batch.mean == (0.5,) and batch.std == (0.5,)
    assert batch.images.max().item() == 1.0


def test_mixed_gray_and_color_gives_three_channels(tmp_path):
    _png(tmp_path / "a.png", mode="L", value=51)
    _png(tmp_path / "b.png", mode="RGB")
    batch = load_data(tmp_path)
    assert batch.images.shape[1] == 3
    torch.testing.assert_close(batch.images[0], torch.full((3, 6, 4), 0.2))


def test_non_image_file_is_named(tmp_path):
    _png(tmp_path / "a.png")
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(InvalidInputError, match="not an image: .*notes.txt"):
        load_data(tmp_path)


def test_mixed_sizes_need_size(tmp_path):
    _png(tmp_path / "a.png", size=(6, 4))
    _png(tmp_path / "b.png", size=(8, 8))
    with pytest.raises(InvalidInputError, match="b.png is 8x8.*size="):
        load_data(tmp_path)
    batch = load_data(tmp_path, size=(5, 7))
    assert batch.images.shape == (2, 3, 5, 7)


def test_shuffle_is_seeded(tmp_path):
    for i in range(6):
        _png(tmp_path / f"{i}.png", value=i)
    first = load_data(tmp_path, n=3, shuffle=True, seed=3).images[:, 0, 0, 0]
    again = load_data(tmp_path, n=3, shuffle=True, seed=3).images[:, 0, 0, 0]
    assert torch.equal(first, again)


def test_load_image(tmp_path):
    path = _png(tmp_path / "a.png", size=(6, 4), mode="L", value=255)
    assert load_image(path).shape == (1, 6, 4)
    assert load_image(path, channels=3).shape == (3, 6, 4)
    assert load_image(path, size=(3, 2)).shape == (1, 3, 2)
    rgba = tmp_path / "b.png"
    Image.new("RGBA", (4, 6), (255, 0, 0, 10)).save(rgba)
    torch.testing.assert_close(load_image(rgba)[:, 0, 0], torch.tensor([1.0, 0.0, 0.0]))
    batch = load_data(str(rgba))
    assert batch.images.shape == (1, 3, 6, 4) and batch.labels.tolist() == [-1]


def test_sixteen_bit_png_is_scaled(tmp_path):
    path = tmp_path / "deep.png"
    Image.fromarray(np.full((4, 4), 65535 // 2, dtype=np.uint16)).save(path)
    img = load_image(path)
    assert img.shape == (1, 4, 4)
    torch.testing.assert_close(img, torch.full((1, 4, 4), 0.5), atol=1e-4, rtol=0)


def test_errors(tmp_path):
    (tmp_path / "x.png").write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    with pytest.raises(InvalidInputError, match="x.png"):
        load_image(tmp_path / "x.png")
    with pytest.raises(DataNotFoundError, match="no such"):
        load_image(tmp_path / "missing.png")
    with pytest.raises(DataNotFoundError, match="no such directory"):
        load_data(f"folder:{tmp_path / 'missing'}")
    with pytest.raises(DataNotFoundError, match="no such file or directory"):
        load_data(str(tmp_path / "missing"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(InvalidInputError, match="no image files"):
        load_data(tmp_path / "empty")

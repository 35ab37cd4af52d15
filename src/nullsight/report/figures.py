"""Matplotlib helpers for report figures, always on the non-interactive Agg backend."""

from __future__ import annotations

import io
import sys
from typing import Any, Sequence

import matplotlib

if "matplotlib.pyplot" not in sys.modules:
    # Never a GUI backend: reports are built on headless machines.  If pyplot is
    # already in use (a notebook), switching would close the user's figures.
    matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure as MplFigure  # noqa: E402

DPI = 96

STYLES = {"image": ("gray", 0.0, 1.0), "stretch": ("gray", 0.0, 1.0), "mask": ("magma", 0.0, 1.0),
          "signed": ("RdBu_r", None, None), "values": ("viridis", None, None)}
"""How :func:`image_grid` shows a row: pictures in [0, 1], pictures contrast-stretched one by one, masks in [0, 1],
signed values about 0 (one symmetric scale per row), any values (each image on its own scale)."""


def figure_png(fig: MplFigure, dpi: int = DPI) -> bytes:
    """Render ``fig`` to PNG bytes and close it: a 256-colour palette PNG, so that reports stay small.

    The PNG carries no software/version metadata, so the same figure gives the
    same bytes and reports diff cleanly.
    """
    from PIL import Image

    buffer = io.BytesIO()
    try:
        fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    finally:
        plt.close(fig)
    image = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    small = io.BytesIO()
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(small, format="PNG", optimize=True)
    return small.getvalue()


def new_figure(width: float = 7.0, height: float = 4.0) -> tuple[MplFigure, Axes]:
    """A figure with one axes, in the report's default size (inches)."""
    fig, ax = plt.subplots(figsize=(width, height), layout="constrained")
    return fig, ax


def image_grid(title: str, rows: Sequence[tuple[str, Sequence[tuple[str, Any] | None], str]], caption: str = "",
               cell: float = 1.5) -> "Figure":
    """The report's one picture helper: rows of labelled images, one style per row, as a report figure.

    ``rows``: ``(row label, [(cell label, image) or None, ...], style)`` with ``style`` one of :data:`STYLES`;
    an image is a tensor, an array or an :class:`~nullsight.artifacts.Artifact` (read from beside its JSON),
    ``(C, H, W)`` (1 or 3 channels) or ``(H, W)``, or None (a blank cell: an artifact not saved); a ``"signed"`` row
    shares one symmetric scale about 0.
    """
    import numpy as np

    from .document import Figure

    width = max(len(cells) for _, cells, _ in rows)
    fig, _ = new_figure(cell * width + 0.6, cell * len(rows) + 0.3)
    fig.clf()
    axes = np.atleast_2d(fig.subplots(len(rows), width, squeeze=False))
    for r, (label, cells, style) in enumerate(rows):
        arrays = [None if c is None or c[1] is None else _hwc(c[1]) for c in cells]
        if style == "stretch":
            arrays = [None if a is None else (a - a.min()) / max(float(a.max() - a.min()), 1e-12) for a in arrays]
        cmap, low, high = STYLES[style]
        if style == "signed":
            high = max((float(np.abs(a).max()) for a in arrays if a is not None), default=0.0) or 1.0
            low = -high
        for c in range(width):
            ax = axes[r][c]
            ax.axis("off")
            if c >= len(cells) or arrays[c] is None:
                continue
            array = arrays[c]
            ax.imshow(array, cmap=None if array.ndim == 3 else cmap, vmin=low, vmax=high, interpolation="nearest")
            ax.set_title(cells[c][0], fontsize=7)
        if label:
            axes[r][0].text(-0.08, 0.5, label, transform=axes[r][0].transAxes, ha="right", va="center", fontsize=8)
    return Figure(title, figure_png(fig), caption=caption)


def _hwc(image: Any) -> Any:
    """A tensor or array ``(C, H, W)`` / ``(H, W)`` -> ``(H, W)`` or ``(H, W, 3)`` floats for imshow."""
    import numpy as np

    image = image.load() if hasattr(image, "load") else image
    array = np.asarray(image.detach().cpu().float().numpy() if hasattr(image, "detach") else image, dtype=float)
    while array.ndim > 3 or (array.ndim == 3 and array.shape[0] == 1):
        array = array[0]
    return array.transpose(1, 2, 0).clip(0, 1) if array.ndim == 3 else array

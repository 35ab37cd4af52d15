"""Matplotlib helpers for report figures, always on the non-interactive Agg backend."""

from __future__ import annotations

import io
import sys

import matplotlib

if "matplotlib.pyplot" not in sys.modules:
    # Never a GUI backend: reports are built on headless machines.  If pyplot is
    # already in use (a notebook), switching would close the user's figures.
    matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure as MplFigure  # noqa: E402

DPI = 96


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

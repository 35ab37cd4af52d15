"""``nullsight export-hf`` (a NULA checkpoint as a transformers directory) and ``nullsight predict`` (top-k labels)."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from ..cli.app import app
from ..cli.common import ArchOption, OutOption, emit_result


@app.command("export-hf")
def export_hf(
    checkpoint: Path = typer.Argument(..., help="A NULA checkpoint (.safetensors from `nullsight train`)."),
    directory: Path = typer.Argument(..., help="Output directory: config.json, model.safetensors, the code."),
) -> None:
    """Write a directory that transformers.pipeline("image-classification", model=DIR, trust_remote_code=True) loads."""
    from ..io import output_group, write_bytes
    from .hf_export import hf_files

    files = hf_files(checkpoint)
    with output_group():
        for name, content in files.items():
            write_bytes(directory / name, content)
    typer.echo(f"wrote {directory} ({', '.join(sorted(files))})", err=True)


@app.command("predict")
def predict(
    checkpoint: str = typer.Argument(..., help="A checkpoint (its architecture recorded, or --arch)."),
    images: List[Path] = typer.Argument(..., help="Image files (any size or mode: converted to RGB and resized)."),
    top_k: int = typer.Option(5, "--top-k", min=1),
    arch: Optional[str] = ArchOption,
    out: Optional[Path] = OutOption,
) -> None:
    """Top-k labels with softmax scores for each image, without transformers."""
    from .predict import predict_images

    emit_result(predict_images(checkpoint, [str(i) for i in images], top_k, arch), out)

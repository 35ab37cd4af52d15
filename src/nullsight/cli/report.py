"""``nullsight report``: turn result JSON files into one self-contained HTML page."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

import typer

from ..errors import InvalidInputError
from ..io import is_stdout
from .app import app
from .common import out_option


@app.command("report")
def report(
    paths: Optional[list[Path]] = typer.Argument(
        None, help="Result JSON files or directories (searched recursively). Default: results/"
    ),
    out: Path = out_option(Path("results/report.html"), help="HTML file to write; - for stdout."),
    title: str = typer.Option("nullsight report", "--title", help="Title of the report."),
    timestamp: bool = typer.Option(
        False, "--timestamp", help="Show the generation time (off: same results give identical HTML)."
    ),
) -> None:
    """Build an HTML report from nullsight results."""
    from ..report import load_results, write_report  # lazy: keeps `nullsight --help` fast

    sources = paths or [Path("results")]
    results = load_results(sources)
    if not results:
        where = ", ".join(str(p) for p in sources)
        raise InvalidInputError(f"no nullsight results (JSON with a 'kind' key) under {where}")
    generated_at = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC") if timestamp else None
    written = write_report(results, out, title=title, generated_at=generated_at)
    if not is_stdout(out):
        typer.echo(written)

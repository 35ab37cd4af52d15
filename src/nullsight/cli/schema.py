"""``nullsight schema [KIND]``: the published JSON Schema of a result kind, or the list of kinds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from .app import app
from .common import OutOption


@app.command("schema")
def schema(
    kind: Optional[str] = typer.Argument(None, help="A result kind (e.g. collision); none lists the kinds."),
    out: Optional[Path] = OutOption,
) -> None:
    """Print the JSON Schema of a result kind (every result JSON validates against the schema of its kind)."""
    from ..io import write_text
    from ..results import load_result_kinds
    from ..schema import json_schema

    kinds = load_result_kinds()
    if kind is None:
        typer.echo("\n".join(sorted(kinds.names())))
        return
    text = json.dumps(json_schema(kinds.get(kind)), indent=2) + "\n"
    if out is None:
        typer.echo(text, nl=False)
    else:
        write_text(out, text)

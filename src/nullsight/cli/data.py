"""``nullsight data list|fetch``: show the named data sources and put them on this machine."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer

from ..errors import DataNotFoundError
from .app import app
from .common import QuietOption, output_dir

data_app = typer.Typer(help="List and fetch the data sets nullsight knows by name.", no_args_is_help=True)
app.add_typer(data_app, name="data")

DEFAULT_FETCH = ["mnist", "fashion-mnist"]


class Format(str, Enum):
    table = "table"
    json = "json"


@data_app.command("list")
def list_sources(
    format: Format = typer.Option(Format.table, "--format", help="table or json."),
    root: Path | None = typer.Option(None, "--root", help="Data root to look in (default: $NULLSIGHT_DATA)."),
) -> None:
    """Show every data source, whether it is here, and how to get it."""
    from ..data import data_root, describe_sources
    from ..io import to_json

    rows = describe_sources(root)
    if format is Format.json:
        typer.echo(to_json(rows), nl=False)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title=f"data sources (data root: {root or data_root()})", caption="also: folder:PATH or any image folder"
    )
    for column in ("name", "here", "shape", "train", "test"):
        table.add_column(column, no_wrap=True)
    table.add_column("where / how to get", overflow="fold")
    for row in rows:
        name = row["name"] + "".join(f"\n= {alias}" for alias in row["aliases"])
        here = "[green]yes[/]" if row["available"] else "[red]no[/]"
        shape = "x".join(str(s) for s in row["shape"])
        where = row["where"] if row["available"] else row["how_to_get"]
        table.add_row(name, here, shape, _count(row["n_train"]), _count(row["n_test"]), where)
    Console().print(table)


def _count(n: int | None) -> str:
    return "-" if n is None else str(n)


@data_app.command("fetch")
def fetch(
    names: list[str] | None = typer.Argument(None, help="Sources to fetch (default: mnist fashion-mnist)."),
    root: Path | None = typer.Option(None, "--root", callback=output_dir, help="Data root to fetch into (default: $NULLSIGHT_DATA)."),
    quiet: bool = QuietOption,
) -> None:
    """Download data sources (or check that they are here); prints where each one is."""
    from ..data import fetch_data

    failures = []
    for name in names or DEFAULT_FETCH:
        try:
            typer.echo(f"{name}: {fetch_data(name, root=root, quiet=quiet)}")
        except DataNotFoundError as exc:
            failures.append(str(exc))
    if failures:
        raise DataNotFoundError("; ".join(failures))

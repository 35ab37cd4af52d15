"""The one typer application; each subcommand lives in its own module of this package."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="nullsight",
    help="Find, measure, exploit and defend against the directions a neural network cannot see.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        from .. import __version__

        typer.echo(f"nullsight {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", help="Print the version and exit.", callback=_print_version,
                                 is_eager=True),
) -> None:
    """Find, measure, exploit and defend against the directions a neural network cannot see."""

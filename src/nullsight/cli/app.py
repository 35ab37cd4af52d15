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

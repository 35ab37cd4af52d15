"""Every discovered capability's commands join the one typer application (:mod:`nullsight.capabilities`)."""

from __future__ import annotations

import typer

from ..capabilities import discover, load_object


def register_capability_commands(app: typer.Typer) -> None:
    """Import each capability's CLI modules (they register their commands on ``app``); a ``"module:attr"``
    naming a ``typer.Typer`` is added as the group called after the capability."""
    for capability in discover():
        for target in capability.cli:
            loaded = load_object(target)
            if isinstance(loaded, typer.Typer):
                app.add_typer(loaded, name=capability.name, help=capability.summary)

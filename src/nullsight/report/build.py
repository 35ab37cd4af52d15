"""Build a report from nullsight results: group by kind, build sections, render HTML."""

from __future__ import annotations

import os
import shlex
from pathlib import Path
from typing import Any

from ..io import write_text
from ..results import Result
from .render import Headline, KindGroup, anchors, render_report
from .sections import build_sections, group_by_kind, kind_title, typed_results


def build_report(
    results: list[dict[str, Any]], title: str = "nullsight report", generated_at: str | None = None
) -> str:
    """One self-contained HTML page showing ``results``.

    The same results give byte-identical HTML: no generation time is shown
    unless ``generated_at`` is given.
    """
    built = []
    for kind, members in group_by_kind(results).items():
        typed = typed_results(kind, members)  # loaded once, for the sections and the summary
        built.append((kind, members, typed, build_sections(kind, members, typed)))
    titles = [t for kind, _, _, sections in built for t in (f"kind {kind}", *(f"{kind} {s.title}" for s in sections))]
    ids = iter(anchors(titles))
    groups = [
        KindGroup(
            kind=kind,
            title=kind_title(kind),
            anchor=next(ids),
            commands=list(dict.fromkeys(command_text(r.get("command")) for r in members)),  # each command once
            sections=[(next(ids), section) for section in sections],
            n_results=len(members),
        )
        for kind, members, _, sections in built
    ]
    summary = [Headline(group.anchor, group.title, headline(kind, item)) for group, (kind, _, typed, _) in zip(groups, built)
               for item in typed]
    return render_report(title, groups, nullsight_version(), generated_at, summary)


def headline(kind: str, result: Any) -> str:
    """One line for the summary (what was found, exact or not, the key figure): a typed result's ``headline()``."""
    if isinstance(result, Result):
        return result.headline()
    return f"{kind_title(kind)}: no typed section for this kind; its fields are shown as they are"


def write_report(
    results: list[dict[str, Any]],
    out_path: str | os.PathLike[str],
    title: str = "nullsight report",
    generated_at: str | None = None,
) -> Path:
    """Build the report and write it atomically to ``out_path``; returns the path."""
    return write_text(out_path, build_report(results, title=title, generated_at=generated_at))


def command_text(command: object) -> str:
    """A result's ``command`` as one line (an argv list is shell-quoted)."""
    if isinstance(command, (list, tuple)):
        return shlex.join(str(part) for part in command)
    return str(command) if command else "(command not recorded)"


def nullsight_version() -> str:
    """The installed nullsight version, or ``"unknown"``."""
    try:
        from importlib.metadata import version

        return version("nullsight")
    except Exception:  # not installed (running from a source tree)
        return "unknown"

"""Jinja2 rendering of report sections into one self-contained HTML page."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from .document import Section, Table

_NUMERIC_TEXT = re.compile(r"^[-+−±~≈<>]?\s*\d[\d,_]*(\.\d+)?([eE][-+]?\d+)?\s*(%|x|×|[kMGT]i?B?)?$")
_MAX_LIST = 20


@dataclass
class KindGroup:
    """The sections made from the results of one kind, with the (distinct) commands that made them."""

    kind: str
    title: str
    anchor: str
    commands: list[str]
    sections: list[tuple[str, Section]]  # (anchor, section)
    n_results: int = 0


@dataclass
class Headline:
    """One line of the summary at the top of the report, linking to its kind's part."""

    anchor: str
    kind_title: str
    text: str


def render_report(title: str, groups: list[KindGroup], version: str, generated_at: str | None = None,
                  summary: list[Headline] | None = None) -> str:
    """The report page as an HTML string."""
    template = _environment().get_template("report.html.j2")
    n_results = sum(g.n_results or len(g.commands) for g in groups)
    return template.render(
        title=title, groups=groups, version=version, generated_at=generated_at, n_results=n_results,
        summary=summary or [],
    )


def anchors(titles: list[str]) -> list[str]:
    """Unique, stable HTML ids for ``titles`` (slugs, numbered on collision)."""
    seen: dict[str, int] = {}
    out = []
    for title in titles:
        slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "section"
        seen[slug] = seen.get(slug, 0) + 1
        out.append(slug if seen[slug] == 1 else f"{slug}-{seen[slug]}")
    return out


def format_cell(value: object) -> tuple[str, bool]:
    """``(text, is_numeric)`` for a table cell; numbers are right-aligned."""
    if value is None:
        return "—", False
    if isinstance(value, bool):
        return ("yes" if value else "no"), False
    if isinstance(value, int):
        return f"{value:,}", True
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return str(value), True
        if value != 0 and (abs(value) >= 1e6 or abs(value) < 1e-3):
            return f"{value:.3e}", True
        return f"{value:.4g}" if abs(value) < 1e4 else f"{value:,.0f}", True
    text = str(value)
    return text, bool(_NUMERIC_TEXT.match(text.strip()))


def table_cells(table: Table) -> tuple[list[bool], list[list[tuple[str, bool]]]]:
    """Formatted cells of ``table`` and, per column, whether it is numeric (right-aligned).

    A column is numeric when all its non-empty cells are numbers.
    """
    rows = [[format_cell(value) for value in row] for row in table.rows]
    numeric = [
        any(row[j][1] for row in rows) and all(row[j][1] or row[j][0] == "—" for row in rows)
        for j in range(len(table.columns))
    ]
    return numeric, rows


def markdownish(text: str) -> Markup:
    """Escape ``text`` and render paragraphs, ``- `` lists, ``**bold**`` and ```code```."""
    blocks = [b for b in re.split(r"\n\s*\n", str(text).strip()) if b.strip()]
    html = []
    for block in blocks:
        lines = [line.strip() for line in block.splitlines()]
        if all(line[:2] in ("- ", "* ") for line in lines):
            items = "".join(f"<li>{_inline(line[2:])}</li>" for line in lines)
            html.append(f"<ul>{items}</ul>")
        else:
            html.append(f"<p>{_inline(' '.join(lines))}</p>")
    return Markup("\n".join(html))


def pretty_json(obj: Any, indent: str = "") -> str:
    """Indented JSON for display: lists of scalars on one line, long lists abridged."""
    inner = indent + "  "
    if isinstance(obj, dict) and obj:
        keys = sorted(obj, key=str)
        items = [f"{inner}{_scalar_json(str(k))}: {pretty_json(obj[k], inner)}" for k in keys]
        return "{\n" + ",\n".join(items) + f"\n{indent}}}"
    if isinstance(obj, list) and obj:
        head = obj[:_MAX_LIST] + ([f"… {len(obj) - _MAX_LIST} more items"] if len(obj) > _MAX_LIST else [])
        if not any(isinstance(v, (dict, list)) for v in head):
            return "[" + ", ".join(_scalar_json(v) for v in head) + "]"
        return "[\n" + ",\n".join(inner + pretty_json(v, inner) for v in head) + f"\n{indent}]"
    return _scalar_json(obj)


def _scalar_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _inline(text: str) -> str:
    parts = str(escape(text)).split("`")
    for i, part in enumerate(parts):
        if i % 2:  # inside backticks (an unmatched last one is left as text)
            parts[i] = f"<code>{part}</code>" if i < len(parts) - 1 else "`" + part
        else:
            parts[i] = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", part)
    return "".join(parts)


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("nullsight.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(markdownish=markdownish, cells=table_cells, pretty_json=pretty_json)
    return env

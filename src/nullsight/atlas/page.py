"""The null-space atlas as one self-contained HTML page.

The page shows an atlas result (``kind: "atlas"``): counts per verdict, status and family, a chart of null-space
size against model size, and a sortable, filterable table of every architecture whose rows open a detail (the
largest null spaces, the first operator's evidence, the error).  The table and the details are drawn by the page's
own script from one embedded JSON blob, so that 1,300 rows stay well under 2 MB; the page loads nothing from the
network.  It takes its look from the report (:mod:`nullsight.report`): the same stylesheet, number format and
figure helpers.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from ..io import write_text
from ..report.document import Figure
from ..report.render import format_cell
from ..results import to_jsonable
from .result import STATUSES, VERDICTS, AtlasResult

VERDICT_COLOURS = {"exact": "#cf222e", "impossible": "#1a7f37", "undetermined": "#8c959f"}
"""One colour per verdict, shared by the chart and the table's badges."""

VERDICT_MEANING = {
    "exact": "the first operator has a null space: exact feature collisions exist",
    "impossible": "the first operator is injective: no exact collision at it",
    "undetermined": "the test could not decide (see the reason in the model's detail)",
}

ROW_FIELDS = ("architecture", "source", "family", "task", "weights", "input_size", "parameters", "status", "error",
              "audit", "first_operator", "verdict", "null_dimension", "evidence", "seconds")
"""The row fields the page shows; any other field the atlas carries is left out of the page."""

TEMPLATES = Path(__file__).parent / "templates"


def build_page(atlas: Any, title: str = "nullsight null-space atlas") -> str:
    """The atlas page as an HTML string; ``atlas`` is the typed atlas result or its JSON (``to_dict()``).

    The same atlas gives byte-identical HTML.
    """
    data = atlas_dict(atlas)
    rows, counts, versions = data["rows"], data["counts"], data["versions"]
    families = sorted(counts["family"].items(), key=lambda item: (-item[1], item[0]))
    by_family = Counter((row["family"], row["verdict"]) for row in rows)
    random_init = any(row["weights"] == "random-init" for row in rows)
    figure = null_space_chart(rows)
    template = _environment().get_template("atlas.html.j2")
    return template.render(
        title=title,
        version=versions.get("nullsight", "unknown"),
        command=data["command"] or "(command not recorded)",
        created=data["created"],
        seed=data["seed"],
        versions=versions,
        n_rows=len(rows),
        verdicts=[(v, counts["verdict"].get(v, 0)) for v in _ordered(counts["verdict"], VERDICTS)],
        statuses=[(s, counts["status"].get(s, 0)) for s in _ordered(counts["status"], STATUSES)],
        families=[(name, n, [by_family[(name, v)] for v in VERDICTS]) for name, n in families],
        weights_note=data["weights_note"] if random_init else None,
        figure=figure,
        report_css=Markup(report_css()),
        verdict_colours=VERDICT_COLOURS,
        verdict_meaning=VERDICT_MEANING,
        blob=script_json({"rows": [{k: row.get(k) for k in ROW_FIELDS} for row in rows], "verdicts": list(VERDICTS)}),
    )


def render_page(atlas: Any, path: str | os.PathLike[str]) -> Path:
    """Write the atlas page (:func:`build_page`) atomically to ``path``; returns the path."""
    return write_text(path, build_page(atlas))


def atlas_dict(atlas: Any) -> dict[str, Any]:
    """The atlas as its full JSON object (non-finite floats -> None).

    A JSON object (the full one, or the lean ``atlas.json``) is loaded as :class:`~nullsight.atlas.result.AtlasResult`
    first: checked at the door, and every field a lean row leaves out filled with its default.
    """
    if isinstance(atlas, Mapping):
        atlas = AtlasResult.from_dict(dict(atlas))
    if not hasattr(atlas, "to_dict"):
        raise TypeError(f"an atlas result or its JSON object is needed, got {type(atlas).__name__}")
    return to_jsonable(atlas.to_dict())


def script_json(obj: Any) -> Markup:
    """``obj`` as compact JSON that is safe inside ``<script type="application/json">``: no ``<``, ``>`` or ``&``
    appears raw, so no value (an architecture named ``</script>``) can end the element or open a tag."""
    text = json.dumps(obj, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def null_space_chart(rows: list[dict[str, Any]]) -> Figure | None:
    """Log-log scatter of null-space size against parameters, one colour per verdict, or None when no row has both.

    Left: the sum of structural nullity over the model's weight matrices (the audit); right: the null dimension
    of the first operator.  Zeros sit on the symmetric-log axis's 0 line.
    """
    from ..report.figures import figure_png, new_figure

    panels = (("sum of structural nullity (all weights)",
               lambda r: (r.get("audit") or {}).get("sum_structural_nullity")),
              ("null dimension of the first operator", lambda r: r.get("null_dimension")))
    points = [[(r["parameters"], value(r), r.get("verdict")) for r in rows
               if isinstance(r.get("parameters"), (int, float)) and r["parameters"] > 0
               and isinstance(value(r), (int, float))] for _, value in panels]
    if not any(points):
        return None
    fig, _ = new_figure(10.0, 3.6)
    fig.clf()
    axes = fig.subplots(1, 2)
    for ax, (label, _), panel in zip(axes, panels, points):
        for verdict in VERDICTS:
            xs = [x for x, _, v in panel if v == verdict]
            ys = [y for _, y, v in panel if v == verdict]
            ax.scatter(xs, ys, s=12, alpha=0.75, color=VERDICT_COLOURS[verdict], label=f"{verdict} ({len(xs)})",
                       linewidths=0, clip_on=False)
        ax.set_xscale("log")
        ax.set_yscale("symlog", linthresh=1)
        ax.set_xlabel("parameters")
        ax.set_ylabel(label)
        ax.set_ylim(0, 4 * max([1, *(y for _, y, _ in panel)]))  # counts: nothing below 0, room above the top point
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(loc="best", fontsize=8, frameon=False)
    n = sum(1 for r in rows if isinstance(r.get("parameters"), (int, float)))
    return Figure("Null space against model size", figure_png(fig),
                  caption=f"{n} models with a parameter count; symmetric-log vertical axes, so that 0 is drawn.")


@lru_cache(maxsize=1)
def report_css() -> str:
    """The report's stylesheet (the ``<style>`` of its template), so that the atlas page looks like a report."""
    from jinja2 import PackageLoader

    source, _, _ = PackageLoader("nullsight.report", "templates").get_source(Environment(), "report.html.j2")
    found = re.search(r"<style>(.*?)</style>", source, re.S)
    if found is None:
        raise RuntimeError("the report template has no <style> element to share with the atlas page")
    return found.group(1).strip()


def _ordered(counts: Mapping[str, int], known: tuple[str, ...]) -> list[str]:
    """The known keys in their order, then any other key the atlas counts."""
    return [*known, *sorted(k for k in counts if k not in known)]


def _number(value: object) -> str:
    return format_cell(value)[0]


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["number"] = _number
    return env

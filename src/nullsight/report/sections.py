"""The registry of section builders: one per result class, plus a generic fallback.

A module producing results registers how to show them, against the result's class::

    @section_for(AuditResult)
    def build(results: list[AuditResult]) -> list[Section]: ...

The builder receives every result of its kind at once, typed (loaded with
``from_dict``), so that it can compare them (one chart for several audits).
"""

from __future__ import annotations

from typing import Any, Callable

from ..errors import InvalidInputError
from ..registry import Registry
from ..results import RESULT_KINDS, Result, load_result_kinds
from .document import Section, Table

SectionBuilder = Callable[[list[Any]], list[Section]]

SECTION_BUILDERS: Registry[SectionBuilder] = Registry("report section", InvalidInputError)
TYPED_KINDS: set[str] = set()


def section_for(result_class: type[Result]) -> Callable[[SectionBuilder], SectionBuilder]:
    """Decorator: ``builder(results: list[result_class]) -> list[Section]`` shows every result of that class."""

    def decorator(builder: SectionBuilder) -> SectionBuilder:
        SECTION_BUILDERS.register(result_class.KIND)(builder)
        TYPED_KINDS.add(result_class.KIND)
        return builder

    return decorator

_SCALARS = (str, int, float, bool, type(None))
_MAX_ROWS = 60
_MAX_TEXT = 200


def kind_title(kind: str) -> str:
    """Heading for a kind of result: ``"weight_audit"`` -> ``"Weight audit"``."""
    text = kind.replace("_", " ").replace("-", " ").strip()
    return text[:1].upper() + text[1:]


def group_by_kind(results: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Results grouped by ``kind``, kinds sorted, results in their given order."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for i, result in enumerate(results):
        kind = result.get("kind") if isinstance(result, dict) else None
        if not isinstance(kind, str) or not kind:
            raise InvalidInputError(f"result #{i + 1} has no 'kind' key (not a nullsight result)")
        groups.setdefault(kind, []).append(result)
    return {kind: groups[kind] for kind in sorted(groups)}


def load_section_builders() -> Registry[SectionBuilder]:
    """:data:`SECTION_BUILDERS` after importing the report modules every capability declares (and every result kind)."""
    from ..capabilities import import_all

    import_all("report")
    load_result_kinds()
    return SECTION_BUILDERS


def typed_results(kind: str, results: list[dict[str, Any]]) -> list[Any]:
    """The results as their registered dataclass (a stale or malformed JSON fails in one line), else as given."""
    from ..artifacts import bind_artifacts

    kinds = load_result_kinds()  # a result read from a file finds its pictures beside it (load_results' .folder)
    return ([bind_artifacts(kinds.get(kind).from_dict(r), getattr(r, "folder", None)) for r in results]
            if kind in kinds else list(results))


def build_sections(kind: str, results: list[dict[str, Any]], typed: list[Any] | None = None) -> list[Section]:
    """The sections for the results of one kind, from its builder or the generic one.

    ``typed``: the results already loaded by :func:`typed_results` (loaded here when not given).
    """
    load_section_builders()
    if kind not in SECTION_BUILDERS:
        return generic_sections(results)
    items: list[Any] = results
    if kind in TYPED_KINDS:
        items = typed if typed is not None else typed_results(kind, results)
    sections = SECTION_BUILDERS.get(kind)(items)
    if not isinstance(sections, list) or not all(isinstance(s, Section) for s in sections):
        raise TypeError(f"the {kind!r} section builder must return a list of Section")
    return sections


def generic_sections(results: list[dict[str, Any]]) -> list[Section]:
    """Fallback for kinds without a builder: the scalar fields as a table, the JSON collapsed."""
    sections = []
    for i, result in enumerate(results, 1):
        kind = str(result["kind"])
        label = next((str(result[k]) for k in ("title", "name", "model") if isinstance(result.get(k), str)), "")
        title = f"{kind_title(kind)}: {label}" if label else kind_title(kind)
        if len(results) > 1:
            title += f" ({i} of {len(results)})"
        rows = scalar_fields(result)
        summary = (
            f"No section builder is registered for results of kind `{kind}`; "
            "showing the scalar fields and the raw JSON."
        )
        sections.append(
            Section(title, kind, summary, tables=[Table("Fields", ["field", "value"], rows)], details=result)
        )
    return sections


def scalar_fields(result: dict[str, Any], depth: int = 3) -> list[list[object]]:
    """``[dotted key, value]`` rows for the scalar (and short-list) fields of a result."""
    rows: list[list[object]] = []

    def walk(obj: dict[str, Any], prefix: str, level: int) -> None:
        for key in sorted(obj, key=str):
            value, name = obj[key], f"{prefix}{key}"
            if not prefix and key in ("kind", "command"):
                continue
            if isinstance(value, dict) and level < depth:
                walk(value, f"{name}.", level + 1)
            elif isinstance(value, str):
                rows.append([name, value if len(value) <= _MAX_TEXT else value[: _MAX_TEXT - 1] + "…"])
            elif isinstance(value, _SCALARS):
                rows.append([name, value])
            elif isinstance(value, list) and len(value) <= 8 and all(isinstance(v, _SCALARS) for v in value):
                rows.append([name, ", ".join(str(v) for v in value)])

    walk(result, "", 1)
    if len(rows) > _MAX_ROWS:
        rows = rows[:_MAX_ROWS] + [[f"… {len(rows) - _MAX_ROWS} more fields", "see the JSON below"]]
    return rows

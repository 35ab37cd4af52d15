"""mkdocs hooks: the site's capability pages, API pages and result tables come from the code and from results/.

- **Capabilities.** Every capability that :func:`nullsight.capabilities.discover` finds (nullsight's own and any
  installed through the ``nullsight.capabilities`` entry point) gets a page under "Capabilities", made from its
  ``docs_page()`` (``nullsight/<name>/docs.md``), or from its title and summary where it has none; and a page under
  "API reference" for its package's public names (``__all__``), rendered by mkdocstrings.  Nothing in ``docs/`` lists
  them: a third-party capability gets its pages by being installed.
- **Tables.** ``<!-- nullsight:table NAME -->`` on any page becomes the table ``tools/readme_tables.py`` generates
  from results/ (never typed by hand); an unknown name or a generator that fails is a warning, so
  ``mkdocs build --strict`` fails.
- **Figures.** ``![caption](results/...png)`` (a path from the repository root) is copied into the site and its link
  made relative to the page; a figure that is not there is a warning.
- **Testing.** ``docs/testing.md`` is in the nav when it exists.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import logging
import posixpath
import re
import sys
from pathlib import Path

from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[1]
TOOLS = ROOT / "tools"
CAPABILITIES = "Capabilities"
API = "API reference"
TABLE = re.compile(r"(?<!`)<!-- nullsight:table (\S+) -->")  # not where a page quotes it in code
FIGURE = re.compile(r"(!\[[^\]]*\]\()(results/[^)\s]+)(\))")

log = logging.getLogger("mkdocs.hooks.nullsight")
_found: list = []  # what on_config discovered, for on_files


def _capabilities() -> list:
    """Every discovered capability; none while the contract module is not there."""
    try:
        from nullsight.capabilities import discover
    except ImportError:
        return []
    return list(discover())


def _scalar(value) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


def reference_markdown(obj) -> str:
    """The paper's reference numbers as markdown: rows of records as a table, a record or a flat mapping as a
    two-column table, a nested mapping section by section, anything else as JSON."""
    from nullsight.formats import markdown_table

    if isinstance(obj, (list, tuple)) and obj and all(dataclasses.is_dataclass(o) for o in obj):
        rows = [dataclasses.asdict(o) for o in obj]
        return markdown_table(list(rows[0]), [list(r.values()) for r in rows])
    if dataclasses.is_dataclass(obj):
        obj = dataclasses.asdict(obj)
    if isinstance(obj, dict) and all(_scalar(v) or (isinstance(v, (list, tuple)) and all(map(_scalar, v)))
                                     for v in obj.values()):
        return markdown_table(["", "paper"], [[k, v if _scalar(v) else ", ".join(map(str, v))]
                                              for k, v in obj.items()])
    if isinstance(obj, dict):
        return "\n".join(f"**{k}**\n\n{reference_markdown(v)}" for k, v in obj.items())
    return "```json\n" + json.dumps(obj, indent=2, default=str) + "\n```\n"


def result_kinds_markdown(capability) -> str:
    """The result kinds a capability registers, each with its published JSON Schema (``nullsight schema KIND``)."""
    modules = set(getattr(capability, "results", ()))
    if not modules:
        return ""
    from nullsight.results import load_result_kinds
    from nullsight.schema import json_schema

    kinds = load_result_kinds()
    mine = [(name, kinds.get(name)) for name in kinds.names() if kinds.get(name).__module__ in modules]
    if not mine:
        return ""
    text = ["## Result kinds", "", "Every result JSON validates against the schema of its kind (`nullsight schema KIND`)."]
    for name, cls in mine:
        doc = (cls.__doc__ or "").strip().splitlines()
        schema = json.dumps(json_schema(cls), indent=2)
        text += ["", f"??? note \"`{name}`: {doc[0] if doc else cls.__name__}\"", "", "    ```json",
                 *("    " + line for line in schema.splitlines()), "    ```"]
    return "\n".join(text) + "\n"


def capability_page(capability) -> str:
    """The markdown of a capability's page: its own docs page (or its title and summary), then the paper's
    reference numbers it declares."""
    page = capability.docs_page()
    text = page.read_text(encoding="utf-8") if page is not None else ""
    if not text.lstrip().startswith("# "):
        text = f"# {capability.title}\n\n{capability.summary}\n\n{text}"
    reference = capability.reference_numbers() if getattr(capability, "reference", None) else None
    if reference is not None:
        text = (text.rstrip() + f"\n\n## The paper's reference numbers\n\nAs `{capability.reference}` declares them "
                "(the report and these pages read them from there).\n\n" + reference_markdown(reference))
    kinds = result_kinds_markdown(capability)
    if kinds:
        text = text.rstrip() + "\n\n" + kinds
    facts = [f"Package: `{capability.package}`"]
    if getattr(capability, "seed", None):
        facts.append(f"seed {capability.seed}")
    if getattr(capability, "source", "nullsight") != "nullsight":
        facts.append(f"installed from `{capability.source}`")
    facts.append(f"API: [{capability.package}](../api/{capability.name}.md)")
    return text.rstrip() + "\n\n---\n\n" + "; ".join(facts) + ".\n"


def api_page(package: str) -> str:
    """An API page for ``package``: its docstring, then each name of its ``__all__`` where it is defined."""
    module = importlib.import_module(package)
    lines = [f"# `{package}`", "", f"::: {package}", "    options:", "      members: false",
             "      show_root_heading: false", "      show_root_toc_entry: false", ""]
    constants = []
    for name in getattr(module, "__all__", ()):
        obj = getattr(module, name)
        where, qualname = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
        if not where or not qualname or not where.split(".")[0] == package.split(".")[0]:
            if not name.startswith("__"):
                constants.append(f"- `{name}`: `{type(obj).__name__}`"
                                 + (f" from `{where}`" if where and qualname else ""))
            continue
        lines += [f"::: {where}.{qualname}", "    options:", "      show_root_heading: true",
                  "      show_root_full_path: false", "      heading_level: 2", ""]
    if constants:
        lines += ["## Other names", "", *constants, ""]
    return "\n".join(lines)


def _tables() -> dict:
    if str(TOOLS) not in sys.path:
        sys.path.insert(0, str(TOOLS))
    return importlib.import_module("readme_tables").blocks()


def on_config(config):
    """Fill the nav's "Capabilities" and "API reference" sections; add "Testing" where its page exists."""
    global _found
    capabilities = _found = _capabilities()
    nav = config["nav"]
    for section in nav:
        if not isinstance(section, dict):
            continue
        if CAPABILITIES in section:
            section[CAPABILITIES] = [{c.title: f"capabilities/{c.name}.md"} for c in capabilities]
        if API in section:
            section[API] = [{"nullsight": "api/nullsight.md"}] + [
                {c.package: f"api/{c.name}.md"} for c in capabilities]
    if (Path(config["docs_dir"]) / "testing.md").is_file() and not any(
            isinstance(s, dict) and "testing.md" in s.values() for s in nav):
        nav.append({"Testing": "testing.md"})
    return config


def on_files(files: Files, config) -> Files:
    """Add the capability and API pages, and every results/ figure a page shows."""
    capabilities = _found
    files.append(File.generated(config, "api/nullsight.md", content=api_page("nullsight")))
    for capability in capabilities:
        files.append(File.generated(config, f"capabilities/{capability.name}.md", content=capability_page(capability)))
        files.append(File.generated(config, f"api/{capability.name}.md", content=api_page(capability.package)))
    shown: set[str] = set()
    for file in list(files):
        if file.src_uri.endswith(".md"):
            shown.update(m.group(2) for m in FIGURE.finditer(file.content_string))
    for figure in sorted(shown):
        path = ROOT / figure
        if path.is_file():
            files.append(File.generated(config, figure, abs_src_path=str(path)))
        else:
            log.warning(f"figure {figure} is not there (a page links it)")
    return files


def on_page_markdown(markdown: str, page, config, files) -> str:
    """Put the generated tables in, and make results/ figure links relative to the page."""
    tables = None

    def table(match: re.Match) -> str:
        nonlocal tables
        tables = _tables() if tables is None else tables
        name = match.group(1)
        if name not in tables:
            log.warning(f"{page.file.src_uri}: no table named {name!r} (tools/readme_tables.py knows "
                        f"{', '.join(sorted(tables))})")
            return match.group(0)
        try:
            return tables[name]()
        except Exception as exc:  # a result that no longer reads: the strict build fails, naming it
            log.warning(f"{page.file.src_uri}: table {name!r} failed: {type(exc).__name__}: {exc}")
            return match.group(0)

    here = posixpath.dirname(page.file.src_uri)
    markdown = TABLE.sub(table, markdown)
    return FIGURE.sub(lambda m: m.group(1) + posixpath.relpath(m.group(2), here or ".") + m.group(3), markdown)

"""The documentation site builds with ``mkdocs build --strict`` (no warning: every nav entry, link, figure,
generated table and API object resolves), and every capability that discovery finds has its pages: nullsight's own,
and a throw-away third-party one installed (a package and its ``.dist-info`` on the path) for the build alone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytest.importorskip("mkdocs", reason="the docs extra is not installed (pip install -e '.[docs]')")
pytest.importorskip("mkdocstrings", reason="the docs extra is not installed (pip install -e '.[docs]')")


PROBE = "nsprobe_docs"


def install_probe(where: Path) -> None:
    """A third-party capability: its package (declaration, docs page, one public function) and an entry point."""
    package = where / PROBE
    package.mkdir()
    (package / "__init__.py").write_text('''"""A throw-away capability that only the docs test installs."""

__all__ = ["probe"]


def probe(x: int) -> int:
    """``x`` back.

    Examples:
        >>> probe(3)
        3
    """
    return x
''')
    (package / "capability.py").write_text(
        "from nullsight.capabilities import Capability\n\n"
        f"CAPABILITY = Capability(name=\"docsprobe\", title=\"Docs probe\", summary=\"Installed by a test.\", "
        f"package=\"{PROBE}\")\n")
    (package / "docs.md").write_text("# Docs probe\n\nThe probe's own page, from its own package.\n")
    info = where / f"{PROBE}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {PROBE}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[nullsight.capabilities]\ndocsprobe = {PROBE}.capability:CAPABILITY\n")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    plugin = tmp_path_factory.mktemp("plugin")
    install_probe(plugin)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(plugin), os.environ.get("PYTHONPATH")]))}
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, f"mkdocs build --strict failed:\n{run.stdout[-4000:]}\n{run.stderr[-4000:]}"
    return out


def test_the_readme_stays_short():
    """The README says what nullsight is, how to start and where the docs are; the rest lives on the site."""
    size = (ROOT / "README.md").stat().st_size
    assert size < 15_000, f"README.md is {size:,} bytes: move detail to docs/ or a capability's docs.md"


def test_the_site_builds_strictly(site):
    assert (site / "index.html").is_file()


def test_every_discovered_capability_has_a_page_and_an_api_page(site):
    from nullsight.capabilities import discover

    assert discover(), "no capability discovered"
    for capability in discover():
        page = (site / "capabilities" / capability.name / "index.html").read_text(encoding="utf-8")
        assert capability.title in page
        assert (site / "api" / capability.name / "index.html").is_file()


def test_a_third_party_capability_gets_its_pages_with_no_change_to_docs(site):
    page = (site / "capabilities" / "docsprobe" / "index.html").read_text(encoding="utf-8")
    assert "The probe&#39;s own page, from its own package." in page or "The probe's own page" in page
    assert "probe" in (site / "api" / "docsprobe" / "index.html").read_text(encoding="utf-8")


def test_tables_are_generated_not_left_as_markers(site):
    for page in site.rglob("*.html"):
        assert "<!-- nullsight:table" not in page.read_text(encoding="utf-8"), page.relative_to(site)


def documented_commands() -> list[tuple[str, str]]:
    """``(where, command line)`` for every ``nullsight ...`` line in a shell block of the README, the docs pages and
    the capabilities' pages (continuation lines joined; lines with a ``...`` placeholder skipped)."""
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md")), *sorted((ROOT / "src").rglob("docs.md"))]
    found = []
    for page in pages:
        fence, pending = None, ""
        for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
            if line.startswith("```"):
                fence = line[3:].strip() if fence is None else None
                continue
            if fence not in ("sh", "console", "bash", ""):
                continue
            line = pending + line.strip().removeprefix("$ ")
            pending = ""
            if line.endswith("\\"):
                pending = line[:-1]
                continue
            line = line.split(" #")[0].strip()
            if line.startswith("nullsight ") and "..." not in line and "$" not in line:
                found.append((f"{page.relative_to(ROOT)}:{number}", line))
    return found


@pytest.mark.parametrize("where, line", documented_commands(), ids=lambda v: v if ":" in str(v) else None)
def test_documented_commands_parse(where, line):
    """Each command the README and the docs show is one the CLI accepts (parsed down to its subcommand's
    options, not run)."""
    import shlex

    import typer
    import typer.main

    from nullsight.cli import app

    context = typer.main.get_command(app).make_context("nullsight", shlex.split(line)[1:]) if "--help" not in line \
        else None
    try:
        while context is not None and hasattr(context.command, "get_command"):  # a group: descend to the command
            protected = getattr(context, "_protected_args", None) or getattr(context, "protected_args", [])
            name, *rest = [*protected, *context.args]
            command = context.command.get_command(context, name)
            assert command is not None, f"{where}: no command {name!r} in `{line}`"
            context = command.make_context(name, rest, parent=context)
    except typer.Exit:
        pass
    except Exception as exc:  # click's UsageError / BadParameter (typer vendors click): the line does not parse
        message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        pytest.fail(f"{where}: `{line}` does not parse: {type(exc).__name__}: {message}")


def test_the_readme_headlines_are_generated_from_results():
    """The README's measured sentences are what tools/readme_tables.py makes from results/ now (never typed)."""
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import readme_tables
    finally:
        sys.path.remove(str(ROOT / "tools"))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "<!-- BEGIN " in readme
    assert readme_tables.fill_markers(readme) == readme, "README.md is stale: run `make readme`"

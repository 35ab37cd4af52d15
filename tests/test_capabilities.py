"""The capability contract: a capability written outside nullsight, found only through its entry point, appears in
the CLI, the result registry, the schema command and the report, with no file of nullsight changed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from nullsight.capabilities import Capability, discover, get
from nullsight.errors import InvalidInputError

PACKAGE = "throwaway_capability"

FILES = {
    f"{PACKAGE}/__init__.py": '"""A capability written by a test."""\n',
    f"{PACKAGE}/capability.py": f"""
        from nullsight.capabilities import Capability

        CAPABILITY = Capability(
            name="throwaway", title="Throw-away capability", summary="Counts to three, for the contract test.",
            package="{PACKAGE}", results=("{PACKAGE}.result",), report=("{PACKAGE}.report",),
            cli=("{PACKAGE}.cli:group",), reference="{PACKAGE}.result:PAPER")
        """,
    f"{PACKAGE}/result.py": """
        from dataclasses import dataclass
        from typing import ClassVar

        from nullsight.results import Result, register_result

        PAPER = {"count": 3}

        @register_result
        @dataclass
        class Count(Result):
            KIND: ClassVar[str] = "throwaway-count"
            count: int
        """,
    f"{PACKAGE}/report.py": """
        from nullsight.report import Section, Table, section_for

        from .result import Count

        @section_for(Count)
        def sections(results):
            return [Section("Throw-away counts", Count.KIND, "Counted by the throw-away capability.",
                            tables=[Table("Counts", ["count"], [[r.count] for r in results])])]
        """,
    f"{PACKAGE}/cli.py": """
        from pathlib import Path

        import typer

        group = typer.Typer(no_args_is_help=True)

        @group.command("count")
        def count(out: Path = typer.Option(..., "--out", "-o")) -> None:
            from nullsight.cli.common import emit_result
            from .result import Count

            emit_result(Count(count=3), out)
        """,
    f"{PACKAGE}/docs.md": "# Throw-away capability\n\nCounts to three.\n",
    f"{PACKAGE}-0.1.dist-info/METADATA": f"Metadata-Version: 2.1\nName: {PACKAGE}\nVersion: 0.1\n",
    f"{PACKAGE}-0.1.dist-info/entry_points.txt": f"[nullsight.capabilities]\nthrowaway = {PACKAGE}.capability:CAPABILITY\n",
}


@pytest.fixture(scope="module")
def plugin_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("plugin")
    for name, text in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    return root


def _nullsight(plugin_dir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(plugin_dir), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, "-m", "nullsight", *args], capture_output=True, text=True, env=env, cwd=cwd,
                          timeout=300)


def test_builtin_capabilities_are_found_without_a_list() -> None:
    names = [c.name for c in discover()]
    assert {"audit", "collisions", "defend", "geometry", "masks", "sampling", "stego", "train"} <= set(names)
    assert names == sorted(names)


def test_every_builtin_capability_declares_what_it_owns() -> None:
    for capability in discover():
        assert capability.results and capability.report and capability.cli, capability.name
        assert capability.summary.strip() and capability.title.strip()


def test_unknown_capability_names_the_known_ones() -> None:
    with pytest.raises(InvalidInputError, match="known: .*collisions"):
        get("nope")


def test_a_declaration_must_be_a_capability() -> None:
    from nullsight.capabilities import _checked

    with pytest.raises(InvalidInputError, match="must declare CAPABILITY"):
        _checked({"name": "x"}, "somewhere")
    assert isinstance(_checked(Capability("x", "X", "x.", "x"), "somewhere"), Capability)


def test_throwaway_capability_appears_everywhere(plugin_dir: Path, tmp_path: Path) -> None:
    help_text = _nullsight(plugin_dir, "--help", cwd=tmp_path)
    assert help_text.returncode == 0, help_text.stderr
    assert "throwaway" in help_text.stdout

    made = _nullsight(plugin_dir, "throwaway", "count", "-o", "count.json", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    data = json.loads((tmp_path / "count.json").read_text())
    assert data["kind"] == "throwaway-count" and data["count"] == 3

    kinds = _nullsight(plugin_dir, "schema", cwd=tmp_path)
    assert "throwaway-count" in kinds.stdout.split()
    schema = _nullsight(plugin_dir, "schema", "throwaway-count", cwd=tmp_path)
    assert schema.returncode == 0, schema.stderr
    assert json.loads(schema.stdout)["properties"]["kind"]["const"] == "throwaway-count"

    report = _nullsight(plugin_dir, "report", "count.json", "--out", "report.html", cwd=tmp_path)
    assert report.returncode == 0, report.stderr
    assert "Throw-away counts" in (tmp_path / "report.html").read_text()


def test_throwaway_capability_in_process(plugin_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Found through its entry point, with its docs page and reference numbers; nothing of nullsight edited."""
    monkeypatch.syspath_prepend(str(plugin_dir))
    discover.cache_clear()
    try:
        capability = get("throwaway")
        assert capability.source == PACKAGE
        assert capability.docs_page() == plugin_dir / PACKAGE / "docs.md"
        assert capability.reference_numbers() == {"count": 3}
    finally:
        discover.cache_clear()

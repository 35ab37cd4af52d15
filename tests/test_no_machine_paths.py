"""No machine path in what the project publishes: the README, the docs (pages, capability pages and the tables
generated into them) and the committed results.  A home, cache, temporary, venv or checkout folder says where a
result was made, not how to make it again: commands are recorded relative to the repository, the home folder as
``~`` (``nullsight.cli.common.command_line``; ``tools/scrub_machine_paths.py`` rewrites older JSONs)."""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# A home, temporary or checkout folder, a venv inside an absolute path, an installed package's folder.  The
# repository's own `.venv/bin/python`, written relative, names no machine.
MACHINE_PATH = re.compile(r"(?<![\w.~-])/(?:root|home|tmp|work)/|/\.venv/|site-packages")


def published() -> list[Path]:
    files = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md")), *sorted((ROOT / "src").rglob("docs.md")),
             *sorted((ROOT / "results").rglob("*.json"))]
    return [f for f in files if f.is_file()]


def offences(text: str, where: str) -> list[str]:
    return [f"{where}:{number}: {line.strip()[:160]}" for number, line in enumerate(text.splitlines(), 1)
            if MACHINE_PATH.search(line)]


def test_the_pattern_catches_each_kind_of_machine_path():
    for leak in ("/root/.cache/nullsight/models/m.safetensors", "/home/ana/x.png", "/tmp/seeds/m.pt", "/work/main/r.json",
                 "venv/.venv/bin/python", "lib/python3.11/site-packages/torch"):
        assert MACHINE_PATH.search(f"nullsight collide {leak}"), leak
    for fine in ("~/.cache/nullsight/models/m.safetensors", "results/collisions/x.json", "$NULLSIGHT_MODELS/m.pt",
                 "hf:/models/llama-7b", "seeds/m.pt", ".venv/bin/python -m pytest"):
        assert not MACHINE_PATH.search(f"nullsight collide {fine}"), fine


def test_no_machine_path_in_readme_docs_or_results():
    found = [o for f in published() for o in offences(f.read_text(encoding="utf-8"), str(f.relative_to(ROOT)))]
    assert not found, "machine paths (write them relative, or with ~):\n" + "\n".join(found[:40])


def test_no_machine_path_in_the_generated_tables():
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        blocks = importlib.import_module("readme_tables").blocks()
    except ImportError as exc:  # pragma: no cover - the docs tooling is part of the repository
        pytest.fail(f"tools/readme_tables.py does not import: {exc}")
    finally:
        sys.path.remove(str(ROOT / "tools"))
    found = []
    for name, block in blocks.items():
        try:
            text = block()
        except Exception:  # a table that no longer reads is the docs build's failure (tests/test_docs.py), not this one
            continue
        found += offences(text, f"generated table {name!r}")
    assert not found, "machine paths in generated tables:\n" + "\n".join(found[:40])

"""Rewrite the machine paths in committed result JSONs (the commands and model paths recorded before commands were
recorded portably): a venv's python -> ``python``, the checkout -> relative, the home folder -> ``~``, the temporary
folder -> the name inside it.  ``tests/test_no_machine_paths.py`` holds results/ to it.

    python tools/scrub_machine_paths.py              # every results/**/*.json
    python tools/scrub_machine_paths.py FILE...      # these files only
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

RULES: tuple[tuple[re.Pattern, str], ...] = (
    (re.compile(r"(?:/[^\s\"'/]+)*/\.venv/bin/(python3?|nullsight|torchrun)\b"), r"\1"),  # the venv's executables
    (re.compile(r"/work/[^\s\"'/]+/"), ""),                                               # the checkout
    (re.compile(r"/(?:root|home/[^\s\"'/]+)/"), "~/"),                                   # the home folder
    (re.compile(r"(?<![\w.~/-])/tmp/"), ""),                                              # the temporary folder
)


def scrub(text: str) -> str:
    """``text`` with every machine path rewritten by :data:`RULES`."""
    for pattern, replacement in RULES:
        text = pattern.sub(replacement, text)
    return text


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or sorted((ROOT / "results").rglob("*.json"))
    for path in paths:
        text = path.read_text(encoding="utf-8")
        clean = scrub(text)
        if clean != text:
            path.write_text(clean, encoding="utf-8")
            print(f"rewrote {path.relative_to(ROOT) if path.is_absolute() else path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

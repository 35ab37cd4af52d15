"""Docs blocks: each seed's claims table, generated from results/SEED/claims.json (``nullsight reproduce SEED``).

    python tools/readme_claims.py          # prints every block

``BLOCKS`` maps ``claims-SEED`` to a function returning its markdown; a seed whose recipe has not run says so, with
the command that runs it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from nullsight.formats import markdown_table  # noqa: E402
from nullsight.results import result_from_dict  # noqa: E402

SEEDS = ("000", "001", "002", "003", "004")


def claims_block(seed: str) -> Callable[[], str]:
    def block() -> str:
        path = ROOT / "results" / seed / "claims.json"
        if not path.is_file():
            return f"_The recipe has not run yet here: `nullsight reproduce {seed}` writes `results/{seed}/claims.json`._\n"
        result = result_from_dict(json.loads(path.read_text()))
        rows = [[*row[:4], f"**{row[4]}**", *row[5:]] for row in result.table_rows()]  # the verdict in bold
        counts = ", ".join(f"{n} {word}" for word, n in result.counts().items())
        head = (f"Generated from `results/{seed}/claims.json` (`{result.command}`): {counts}. Our figure is given with "
                "its 95% interval or the p-value of the stated test.\n\n")
        return head + markdown_table(list(result.COLUMNS), rows)

    return block


BLOCKS: dict[str, Callable[[], str]] = {f"claims-{seed}": claims_block(seed) for seed in SEEDS}


if __name__ == "__main__":
    for name, build in BLOCKS.items():
        print(f"## {name}\n\n{build()}")

"""Docs blocks of the null-space atlas, generated from results/atlas/atlas.json and results/bench-atlas.json.

    python tools/readme_atlas.py          # prints every block
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from nullsight.formats import markdown_table  # noqa: E402
from nullsight.results import result_from_dict  # noqa: E402

ATLAS = ROOT / "results" / "atlas" / "atlas.json"
BENCH = ROOT / "results" / "bench-atlas.json"
FAMILIES_SHOWN = 12


def atlas_block() -> str:
    if not ATLAS.is_file():
        return "_The atlas has not been run here: `make atlas` writes `results/atlas/atlas.json`._\n"
    atlas = result_from_dict(json.loads(ATLAS.read_text()))
    rows, counts = atlas.rows, atlas.counts
    verdicts = counts.verdict
    head = (f"Generated from `results/atlas/atlas.json` (`{atlas.command}`): {len(rows):,} architectures, status "
            + ", ".join(f"{n:,} {s}" for s, n in counts.status.items()) + f"; {atlas.weights_note}.\n\n")
    table = markdown_table(["verdict", "architectures", "share"],
                           [[v, f"{n:,}", f"{n / len(rows):.1%}"] for v, n in verdicts.items()])
    exact = Counter(r.family for r in rows if r.verdict == "exact")
    families = markdown_table(["family", "exact", "of"],
                              [[f, n, counts.family[f]] for f, n in exact.most_common(FAMILIES_SHOWN)])
    return (head + table + f"\n\nThe families with the most exactly collidable first operators (top {FAMILIES_SHOWN}):"
            "\n\n" + families)


def bench_atlas_block() -> str:
    if not BENCH.is_file():
        return "_`python benchmarks/atlas.py` writes `results/bench-atlas.json`._\n"
    bench = json.loads(BENCH.read_text())
    cmp_, zoo = bench["ray_vs_sequential"], bench.get("whole_zoo", {})
    lines = [f"Generated from `results/bench-atlas.json` (`{bench['command']}`; {bench['cpus']} CPUs; "
             f"{bench['note'] or 'a quiet machine'}).", ""]
    rows = [["Ray / plain loop, same architectures", f"{len(cmp_['architectures'])}",
             f"{cmp_['ray_over_sequential']:.2f} ({cmp_['ray_with_startup_over_sequential']:.2f} with Ray's start-up)"]]
    if "wall_s" in zoo:
        rows.append(["whole zoo, Ray local", f"{zoo['rows']:,}",
                     f"{zoo['wall_s'] / 60:.1f} min, {zoo['models_per_minute']} architectures/min"])
    lines.append(markdown_table(["measure", "architectures", "result"], rows))
    if zoo.get("slowest_ten"):
        lines += ["", "The slowest ten rows:", "",
                  markdown_table(["architecture", "seconds", "parameters"],
                                 [[s["architecture"], s["seconds"], f"{s['parameters'] or 0:,}"]
                                  for s in zoo["slowest_ten"]])]
    return "\n".join(lines) + "\n"


BLOCKS: dict[str, Callable[[], str]] = {"atlas": atlas_block, "bench-atlas": bench_atlas_block}

if __name__ == "__main__":
    for name, block in BLOCKS.items():
        print(f"## {name}\n\n{block()}")

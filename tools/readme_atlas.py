"""Docs blocks of the null-space atlas, generated from results/atlas/atlas.json and results/bench-atlas.json.

    python tools/readme_atlas.py          # prints every block
"""

from __future__ import annotations

from collections import Counter
from typing import Callable

from readme_common import ROOT, load_json, missing

from nullsight.formats import markdown_table
from nullsight.results import result_from_dict

ATLAS = ROOT / "results" / "atlas" / "atlas.json"
BENCH = ROOT / "results" / "bench-atlas.json"
FAMILIES_SHOWN = 12


def atlas_block() -> str:
    data = load_json(ATLAS)
    if data is None:
        return missing("atlas/atlas.json", "atlas")
    atlas = result_from_dict(data)
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
    bench = load_json(BENCH)
    if bench is None:
        return "_`python benchmarks/atlas.py` writes `results/bench-atlas.json`._\n"
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

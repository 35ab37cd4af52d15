"""The docs block of the mutation score, generated from results/mutation.json (``make mutate`` writes it).

    python tools/readme_mutation.py          # prints the block
"""

from __future__ import annotations

from typing import Callable

from readme_common import ROOT, load_json, missing

from nullsight.formats import markdown_table

MUTATION = ROOT / "results" / "mutation.json"


def _files(mutated: list[str]) -> str:
    return ", ".join(f"`{path.removeprefix('src/nullsight/')}`" for path in mutated)


def mutation_block() -> str:
    """The score per core and over all the cores that were run, and the cores not run yet."""
    data = load_json(MUTATION)
    if data is None:
        return missing("mutation.json", "mutate")
    rows = []
    for t in data["targets"]:
        checked = t["mutants"] - t["equivalent"] - t["not_checked"]
        rows.append([f"`{t['target']}`", _files(t["mutated"]), f"{t['mutants']:,}", t["equivalent"],
                     f"{t['killed']:,} of {checked:,}", len(t["survivors"]),
                     "-" if t["score"] is None else f"**{t['score']:.1%}**"])
    table = markdown_table(["core", "files", "mutants", "equivalent", "killed", "surviving", "score"], rows)
    total = ("-" if data["score"] is None else
             f"**{data['score']:.1%}** ({data['killed']:,} of {data['non_equivalent_mutants']:,} non-equivalent "
             "mutants killed)")
    lines = [f"Generated from `results/mutation.json` ({data['tool']}).", "", table.rstrip("\n"), "",
             f"Over the cores run: {total}."]
    if data["not_run"]:
        lines += ["", "Not run yet: " + ", ".join(f"`{t['target']}`" for t in data["not_run"])
                  + " (`make mutate MUTATE=\"...\"` runs them)."]
    return "\n".join(lines) + "\n"


BLOCKS: dict[str, Callable[[], str]] = {"mutation": mutation_block}

if __name__ == "__main__":
    print(mutation_block())

"""README blocks for issue #10 section 2 (every layer type, hf: models, streaming audits), from results/ JSON.

``BLOCKS`` maps a block name to a function returning its markdown; the lead's
tools/readme_tables.py splices them between ``<!-- BEGIN name -->`` markers.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

from nullsight.formats import markdown_table

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "results" / "bench-audit-streaming.json"
EXAMPLES = ROOT / "results" / "reach" / "examples-audit.json"


def _gib(n: int) -> str:
    return f"{n / 2**30:.2f} GiB"


def streaming_block() -> str:
    """Peak memory of the streaming audit against the checkpoint's size (and a whole load, for contrast)."""
    data = json.loads(BENCH.read_text())
    rows = []
    for run in data["runs"]:
        ck, st = run["checkpoint"], run["stream_audit"]
        rows.append([_gib(ck["bytes"]), ck["layers"], f"{ck['largest_tensor_bytes'] / 2**20:.0f} MiB",
                     f"{st['n_weights']} / {st['skipped']}", _gib(st["peak_over_baseline_bytes"]),
                     f"{st['peak_rss_bytes'] / ck['bytes']:.2f}",
                     _gib(run["full_load"]["peak_over_baseline_bytes"]) if "full_load" in run else "—",
                     st["seconds"]])
    ck = data["runs"][0]["checkpoint"]
    text = (f"Generated from `{BENCH.relative_to(ROOT)}` (`{data['command']}`), {data['threads']} CPU thread(s) on a "
            f"shared machine. Synthetic decoder-only transformers in fp16 (d = {ck['d']}, vocabulary {ck['vocab']:,}, "
            "q/k/v/o and a 4x MLP per layer) written as shards in a temporary folder. Peaks are resident memory above the "
            "process's baseline after importing torch (~0.7 GiB); the whole load reads every tensor.\n\n")
    return text + markdown_table(["checkpoint", "layers", "largest tensor", "audited / skipped",
                                  "streaming audit: peak", "peak (incl. torch) / size", "whole load: peak",
                                  "audit time (s)"], rows)


def examples_block() -> str:
    """The three example factories' audits (tabular MLP, 1-D conv net, LSTM encoder)."""
    data = json.loads(EXAMPLES.read_text())
    audits = data if isinstance(data, list) else [data]
    rows = [[a["model"], "x".join(map(str, a["input_size"] or [])), a["n_weights"], a["nu"], a["sum_nullity"],
             a["first_weight"], a["nullity_first"], len(a["skipped"])] for a in audits]
    return (f"Generated from `{EXAMPLES.relative_to(ROOT)}` (`{audits[0]['command']}`), random initialisation "
            "(seed 0).\n\n" + markdown_table(["factory", "input", "weights", "ν", "Σ nullity", "first weight",
                                               "nullity(W1)", "skipped (listed)"], rows))


BLOCKS: dict[str, Callable[[], str]] = {"reach-streaming": streaming_block, "reach-examples": examples_block}

if __name__ == "__main__":
    for name, block in BLOCKS.items():
        print(f"<!-- {name} -->\n{block()}")

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
    ck, st = data["checkpoint"], data["stream_audit"]
    rows = [["streaming audit (`nullsight audit INDEX.json`)", _gib(st["peak_over_baseline_bytes"]),
             _gib(st["peak_rss_bytes"]), f"{st['peak_rss_bytes'] / ck['bytes']:.2f}", st["seconds"]]]
    if "full_load" in data:
        fl = data["full_load"]
        rows.append(["whole checkpoint loaded and read (`safetensors.load_file`)",
                     _gib(fl["peak_rss_bytes"] - fl["baseline_rss_bytes"]), _gib(fl["peak_rss_bytes"]),
                     f"{fl['peak_rss_bytes'] / ck['bytes']:.2f}", fl["seconds"]])
    text = (f"Generated from `{BENCH.relative_to(ROOT)}` (`{data['command']}`), {data['threads']} CPU thread(s). "
            f"Synthetic decoder-only transformer in fp16 (d = {ck['d']}, {ck['layers']} layers, vocabulary "
            f"{ck['vocab']:,}): {_gib(ck['bytes'])} in {ck['shards']} shards, largest tensor "
            f"{ck['largest_tensor_bytes'] / 2**20:.0f} MiB; {st['n_weights']} matrices audited, {st['skipped']} "
            "tensors listed as skipped.\n\n")
    return text + markdown_table(["what", "peak above baseline", "peak resident (incl. torch)",
                                  "peak / checkpoint size", "time (s)"], rows)


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

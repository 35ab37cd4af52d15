"""Audit speed: the fast path (fp64 Gram, SVD near the cut) against the fp64-SVD reference, in one process.

    python benchmarks/audit.py                 # ResNet-50 + the whole Table 2 zoo + WeightWatcher
    python benchmarks/audit.py --no-zoo        # ResNet-50 only

Writes results/bench-audit.json: per model the median wall time of each path,
their ratio, and whether every layer's rank is identical.
"""

from __future__ import annotations

import argparse
from collections import Counter
import shlex
import statistics
import sys
import time
from pathlib import Path

import torch

from nullsight.audit import audit_model
from nullsight.audit.table2 import TABLE2
from nullsight.io import write_json
from nullsight.models import load_model
from nullsight.versions import versions


def timed(fn, repeats: int):
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def bench_model(spec: str, repeats: int, reference: bool) -> dict:
    start = time.perf_counter()
    loaded = load_model(spec, seed=0)
    build_s = time.perf_counter() - start
    example = loaded.example_input()
    fast_s, fast = timed(lambda: audit_model(loaded.module, spec, example, method="auto"), repeats)
    cert_s, cert = timed(lambda: audit_model(loaded.module, spec, example, method="certify"), repeats)
    row = {"model": spec, "build_s": round(build_s, 3), "fast_s": round(fast_s, 3), "certify_s": round(cert_s, 3),
           "n_weights": fast.n_weights, "methods": dict(Counter(layer.method for layer in fast.layers)),
           "certify_methods": dict(Counter(layer.method for layer in cert.layers)),
           "svd_fallbacks": sum(layer.method == "svd-fp64" for layer in fast.layers)}
    if reference:
        ref_s, ref = timed(lambda: audit_model(loaded.module, spec, example, method="svd"), 1)
        mismatches = [a.name for a, b, c in zip(fast.layers, ref.layers, cert.layers) if not a.rank == b.rank == c.rank]
        row.update(reference_s=round(ref_s, 3), speedup=round(ref_s / fast_s, 2),
                   certify_speedup=round(ref_s / cert_s, 2), ranks_identical=not mismatches, rank_mismatches=mismatches)
    return row


def bench_weightwatcher(spec: str, fast_s: float) -> dict:
    try:
        import weightwatcher
    except ImportError:
        return {"available": False, "why": "pip install weightwatcher"}
    model = load_model(spec, seed=0).module
    watcher = weightwatcher.WeightWatcher(model=model)
    start = time.perf_counter()
    try:
        watcher.analyze()
    except Exception as exc:  # report what happened instead of failing the benchmark
        return {"available": True, "error": f"{type(exc).__name__}: {str(exc)[:200]}"}
    ww_s = time.perf_counter() - start
    return {"available": True, "version": weightwatcher.__version__, "model": spec, "analyze_s": round(ww_s, 3),
            "speedup_vs_weightwatcher": round(ww_s / fast_s, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-zoo", action="store_true")
    parser.add_argument("--no-reference-zoo", action="store_true", help="time the zoo without the slow SVD reference")
    parser.add_argument("--out", type=Path, default=Path("results/bench-audit.json"))
    args = parser.parse_args()
    torch.manual_seed(0)
    resnet = bench_model("torchvision:resnet50", args.repeats, reference=True)
    result = {"kind": "bench-audit", "command": shlex.join(["python", *sys.argv]), "threads": torch.get_num_threads(),
              "versions": versions(), "resnet50": resnet,
              "weightwatcher": bench_weightwatcher("torchvision:resnet50", resnet["fast_s"])}
    if not args.no_zoo:
        rows = [bench_model(row.spec, 1, reference=not args.no_reference_zoo) for row in TABLE2 if row.spec]
        result["zoo"] = rows
        result["zoo_total_s"] = round(sum(r["build_s"] + r["fast_s"] for r in rows), 2)
        result["zoo_audit_s"] = round(sum(r["fast_s"] for r in rows), 2)
        result["zoo_certify_total_s"] = round(sum(r["build_s"] + r["certify_s"] for r in rows), 2)
        if not args.no_reference_zoo:
            result["zoo_reference_s"] = round(sum(r["reference_s"] for r in rows), 2)
            result["zoo_ranks_identical"] = all(r["ranks_identical"] for r in rows)
    write_json(args.out, result)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

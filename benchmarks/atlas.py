"""Atlas speed: the whole zoo's rate and slowest rows (from its store), and Ray against a plain loop over the same
50 architectures in one process.

    python benchmarks/atlas.py --zoo-wall 3400      # the wall time `nullsight atlas run` took over the whole zoo
    python benchmarks/atlas.py --n 10 --no-zoo      # a quick check

Both engines start from an empty in-memory store (no verdict cached), the loop first; Ray's time is given with
and without ``ray.init`` and its workers' first imports (a warm-up task per CPU).  Writes results/bench-atlas.json.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

from nullsight.atlas.engine import EngineSettings, run_atlas, weights_key  # noqa: E402
from nullsight.atlas.store import DEFAULT_STORE, AtlasStore  # noqa: E402
from nullsight.atlas.zoo import zoo  # noqa: E402
from nullsight.io import write_json  # noqa: E402
from nullsight.versions import versions  # noqa: E402


def spread(n: int) -> list:
    """``n`` architectures spread evenly over the sorted zoo (every family's neighbourhood, not the first n)."""
    entries = zoo()
    step = max(1, len(entries) // n)
    return entries[::step][:n]


def _warm(x: int) -> int:
    """A worker's first task: the imports and the zoo's name lists every later task needs (a small survey)."""
    from nullsight.atlas.architecture import survey

    survey("timm:resnet18" if x % 2 else "torchvision:resnet18")
    return x


def compare(n: int, cpus: int) -> dict:
    import ray

    entries = spread(n)
    start = time.perf_counter()
    loop = run_atlas(entries, settings=EngineSettings(engine="sequential", timeout=600))
    loop_s = time.perf_counter() - start
    start = time.perf_counter()
    ray.init(num_cpus=cpus, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    ray.get([ray.remote(_warm).remote(i) for i in range(cpus)])
    ready_s = time.perf_counter() - start
    start = time.perf_counter()
    on_ray = run_atlas(entries, settings=EngineSettings(engine="ray", timeout=600))
    ray_s = time.perf_counter() - start
    ray.shutdown()
    same = [(r.architecture, r.verdict, r.null_dimension) for r in loop.rows] == \
           [(r.architecture, r.verdict, r.null_dimension) for r in on_ray.rows]
    return {"architectures": [e.architecture for e in entries], "ray_cpus": cpus,
            "sequential_s": round(loop_s, 2), "ray_s": round(ray_s, 2), "ray_startup_s": round(ready_s, 2),
            "ray_over_sequential": round(ray_s / loop_s, 3),
            "ray_with_startup_over_sequential": round((ray_s + ready_s) / loop_s, 3),
            "same_verdicts": same, "signatures": len({r.first_operator.signature for r in loop.rows if r.first_operator})}


def whole_zoo(store_path: Path, wall: float | None) -> dict:
    with AtlasStore(store_path) as store:
        rows = store.rows(weights_key(0, None))
    slowest = sorted(rows, key=lambda r: -r.seconds)[:10]
    out = {"rows": len(rows), "status": {s: sum(r.status == s for r in rows) for s in ("ok", "error", "timeout")},
           "row_seconds_sum": round(sum(r.seconds for r in rows), 1),
           "slowest_ten": [{"architecture": r.architecture, "seconds": r.seconds, "parameters": r.parameters,
                            "first_operator": r.first_operator.signature if r.first_operator else None}
                           for r in slowest]}
    if wall:
        out.update(wall_s=wall, models_per_minute=round(len(rows) / (wall / 60), 1))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--cpus", type=int, default=os.cpu_count())
    parser.add_argument("--zoo-store", type=Path, default=DEFAULT_STORE)
    parser.add_argument("--zoo-wall", type=float, default=None, help="seconds the whole-zoo run took")
    parser.add_argument("--no-zoo", action="store_true")
    parser.add_argument("--note", default="", help="the machine's state (other jobs sharing its cores)")
    parser.add_argument("--out", type=Path, default=Path("results/bench-atlas.json"))
    args = parser.parse_args()
    load = os.getloadavg()
    result = {"command": "python " + " ".join(shlex.quote(a) for a in sys.argv), "versions": versions(),
              "cpus": os.cpu_count(), "load_average_at_start": [round(v, 2) for v in load], "note": args.note,
              "ray_vs_sequential": compare(args.n, args.cpus)}
    if not args.no_zoo and args.zoo_store.is_file():
        result["whole_zoo"] = whole_zoo(args.zoo_store, args.zoo_wall)
    write_json(args.out, result)
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()

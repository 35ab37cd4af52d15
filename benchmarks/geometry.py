"""Hull projection speed (seed 002, Eqs. 20-25): the batched solver vs one OSQP problem per point, at equal accuracy.

    OMP_NUM_THREADS=2 python benchmarks/geometry.py --model ~/.cache/nullsight/models/resnet20-fashion-mnist-seed0.safetensors --data fashion-mnist

Extracts the 64-D last-hidden-layer features of the whole training set (the hull) and the whole test set, projects
every test point with :class:`nullsight.geometry.HullProjector`, and ``--n-osqp`` of them one at a time with OSQP
(qpsolvers, ``polishing``); the distances must agree to 1e-6 relatively.  Also times the flip points of the test set.
Writes results/bench-geometry.json.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from pathlib import Path

import numpy as np
import torch

from nullsight.data import load_data
from nullsight.geometry import FlipPointSolver, HullProjector
from nullsight.geometry.features import feature_head
from nullsight.geometry.reference import hull_projection_osqp
from nullsight.geometry.runner import features_of
from nullsight.io import write_json
from nullsight.models import load_model
from nullsight.versions import versions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--data", default="fashion-mnist")
    parser.add_argument("--n-train", type=int, default=None, help="training points of the hull (default: all)")
    parser.add_argument("--n-test", type=int, default=None, help="test points projected (default: all)")
    parser.add_argument("--n-osqp", type=int, default=5, help="test points also solved one by one with OSQP")
    parser.add_argument("--out", type=Path, default=Path("results/bench-geometry.json"))
    parser.add_argument("--cache", type=Path, default=None, help="keep the extracted features in this .pt file")
    args = parser.parse_args()

    loaded = load_model(args.model)
    c, h, w = loaded.input_size
    train = load_data(args.data, split="train", n=args.n_train, size=(h, w), channels=c)
    test = load_data(args.data, split="test", n=args.n_test, size=(h, w), channels=c)
    start = time.perf_counter()
    if args.cache is not None and args.cache.is_file():
        f_train, f_test = torch.load(args.cache, weights_only=True)
    else:
        f_train, _ = features_of(loaded, train, None)
        f_test, _ = features_of(loaded, test, None)
        if args.cache is not None:
            torch.save((f_train, f_test), args.cache)
    features_s = time.perf_counter() - start

    solver = HullProjector(f_train)
    start = time.perf_counter()
    result = solver(f_test)
    batched_s = time.perf_counter() - start

    head = feature_head(loaded.module)
    start = time.perf_counter()
    flips = FlipPointSolver(head.weight, head.bias, nonneg=bool((f_test >= 0).all()))(f_test)
    flip_s = time.perf_counter() - start

    D = f_train.double().numpy()
    osqp_d, osqp_s, osqp_gap, statuses = [], [], [], []
    for i in range(args.n_osqp):
        q = f_test[i].double().numpy()
        t0 = time.perf_counter()
        x_h, _, status = hull_projection_osqp(q, D)
        osqp_s.append(time.perf_counter() - t0)
        osqp_d.append(float(np.linalg.norm(x_h - q)))
        g = x_h - q  # the same Frank-Wolfe duality gap certifies OSQP's point
        osqp_gap.append(float(g @ x_h - (D @ g).min()))
        statuses.append(status)
    ours = result.distance[: args.n_osqp].numpy()
    rel = np.abs(ours - np.array(osqp_d)) / np.maximum(np.array(osqp_d), 1e-12)
    per_point_osqp = float(np.mean(osqp_s)) if osqp_s else None
    per_point_ours = batched_s / len(f_test)
    write_json(args.out, {
        "kind": "bench-geometry", "command": shlex.join(["python", *sys.argv]), "threads": torch.get_num_threads(),
        "model": loaded.spec, "data": args.data, "n_train": len(f_train), "n_test": len(f_test),
        "features": int(f_train.shape[1]), "features_s": round(features_s, 1),
        "batched_s": round(batched_s, 2), "batched_per_point_ms": round(1e3 * per_point_ours, 3),
        "rounds": result.rounds, "unconverged": result.n_unconverged, "max_gap": float(result.gap.max()),
        "max_relative_gap": float((result.gap / result.distance.clamp_min(1e-12) ** 2).max()),
        "mean_support": float((result.support >= 0).sum(1).double().mean()),
        "osqp_points": args.n_osqp, "osqp_per_point_s": None if per_point_osqp is None else round(per_point_osqp, 3),
        "osqp_max_relative_difference": float(rel.max()) if len(rel) else None,
        "osqp_statuses": statuses, "osqp_max_gap": max(osqp_gap) if osqp_gap else None,
        "ours_max_gap_same_points": float(result.gap[: args.n_osqp].max()) if args.n_osqp else None,
        "speedup": None if per_point_osqp is None else round(per_point_osqp / per_point_ours, 1),
        "osqp_extrapolated_full_s": None if per_point_osqp is None else round(per_point_osqp * len(f_test), 1),
        "flip_points_s": round(flip_s, 2), "flip_problems": int(len(f_test) * (head.weight.shape[0] - 1)),
        "flip_max_kkt": float(flips.kkt_residual[torch.isfinite(flips.kkt_residual)].max()),
        "versions": versions(),
    })
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

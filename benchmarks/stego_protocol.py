"""Seed 001's steganography protocol over 50,000 pairs: batched against one pair at a time, in one process.

    python benchmarks/stego_protocol.py --model ~/.cache/nullsight/models/mlp-mnist-seed0.safetensors

The batched path is ``nullsight stego eval --protocol paper`` (the filter of H and 0.2 H over the training split,
then hide / predict / measure every pair at once); the one-at-a-time loop filters, hides and predicts each pair
alone over the first ``--one-by-one`` pairs and is extrapolated per pair.  Writes results/bench-stego-protocol.json.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from pathlib import Path

import torch

from nullsight.inference import predict
from nullsight.io import write_json
from nullsight.stego.hide import hide
from nullsight.stego.runner import eval_run, load_stego_model, paper_pairs
from nullsight.versions import versions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--per-class", type=int, default=5000)
    parser.add_argument("--one-by-one", type=int, default=500, help="pairs timed one at a time")
    parser.add_argument("--out", type=Path, default=Path("results/bench-stego-protocol.json"))
    args = parser.parse_args()

    start = time.perf_counter()
    result = eval_run(args.model, cover_data="mnist", hidden_data="mnist", n=None, alpha1=0.2, alpha2=None, noise=(),
                      seed=0, protocol="paper", per_class=args.per_class)
    batched_s = time.perf_counter() - start

    loaded, norm, projector = load_stego_model(args.model)
    covers, hiddens, labels, _ = paper_pairs(loaded, norm, cover_data="mnist", hidden_data="mnist", n=args.one_by_one,
                                             alpha1=0.2, per_class=args.per_class, seed=0)
    low, high = norm.bounds
    hits = 0
    start = time.perf_counter()
    for i in range(len(hiddens)):
        h, c = norm.to_model(hiddens[i : i + 1]), norm.to_model(covers[i : i + 1])
        keep = bool(predict(loaded.module, h)[1][0] == labels[i]) and bool(predict(loaded.module, 0.2 * h)[1][0] == labels[i])
        made = hide(c, h, projector, low=low, high=high)
        hits += int(keep and bool(predict(loaded.module, made.stego)[1][0] == labels[i]))
    single_per_pair = (time.perf_counter() - start) / len(hiddens)
    batched_per_pair = batched_s / result.n
    write_json(args.out, {
        "kind": "bench-stego-protocol", "command": shlex.join(["python", *sys.argv]), "threads": torch.get_num_threads(),
        "pairs": result.n, "batched_s": round(batched_s, 2), "batched_per_pair_ms": round(1e3 * batched_per_pair, 4),
        "one_by_one_pairs_timed": len(hiddens), "one_by_one_per_pair_ms": round(1e3 * single_per_pair, 3),
        "one_by_one_extrapolated_s": round(single_per_pair * result.n, 1),
        "batched_speedup": round(single_per_pair / batched_per_pair, 1),
        "paper_success_rate": result.paper_success_rate, "one_by_one_success_rate": hits / max(len(hiddens), 1),
        "note": ("batched: the whole `stego eval --protocol paper` (filter over 60,000 training images, hide, predict, "
                 "PSNR/SSIM, 8-bit and clipping checks); one-by-one: filter, hide and predict only"),
        "versions": versions(),
    })
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

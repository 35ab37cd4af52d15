"""Steganography speed: one MNIST training epoch, and stego evaluation batched vs one pair at a time (one process).

    python benchmarks/stego.py --model ~/.cache/nullsight/models/mlp-mnist-seed0.safetensors

Writes results/bench-stego.json.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from pathlib import Path

import torch

from nullsight.data import load_data
from nullsight.io import write_json
from nullsight.models import MLP
from nullsight.normalization import PM1
from nullsight.stego.evaluate import evaluate_stego, predict
from nullsight.stego.hide import hide
from nullsight.stego.runner import load_stego_model, pairs
from nullsight.train import TrainConfig, train_classifier
from nullsight.versions import versions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--one-by-one", type=int, default=300, help="pairs timed one at a time")
    parser.add_argument("--out", type=Path, default=Path("results/bench-stego.json"))
    args = parser.parse_args()

    train = load_data("mnist", split="train")
    x = PM1.to_model(train.images)
    start = time.perf_counter()
    train_classifier(MLP(), x, train.labels, TrainConfig(epochs=1, rescale=[0.2]))
    epoch_s = time.perf_counter() - start

    loaded, norm, projector = load_stego_model(args.model)
    covers, hiddens, labels = pairs("mnist", "mnist", None, 0)
    start = time.perf_counter()
    evaluate_stego(loaded.module, projector, norm, covers, hiddens, labels, noise=())
    batched_s = time.perf_counter() - start

    low, high = norm.bounds
    k = args.one_by_one
    start = time.perf_counter()
    for i in range(k):
        made = hide(norm.to_model(covers[i : i + 1]), norm.to_model(hiddens[i : i + 1]), projector, low=low, high=high)
        predict(loaded.module, made.stego)
        predict(loaded.module, norm.to_model(hiddens[i : i + 1]))
    single_per_pair = (time.perf_counter() - start) / k
    batched_per_pair = batched_s / len(covers)
    write_json(args.out, {
        "kind": "bench-stego", "command": shlex.join(["python", *sys.argv]), "threads": torch.get_num_threads(),
        "train_epoch_s": round(epoch_s, 2), "train_samples_per_epoch": 2 * len(train),
        "eval_pairs": len(covers), "eval_batched_s": round(batched_s, 2),
        "one_by_one_pairs_timed": k, "one_by_one_per_pair_ms": round(1e3 * single_per_pair, 3),
        "batched_per_pair_ms": round(1e3 * batched_per_pair, 4), "batched_speedup": round(single_per_pair / batched_per_pair, 1),
        "note": "batched includes SSIM/PSNR of every pair; the one-by-one baseline only hides and predicts",
        "versions": versions(),
    })
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

"""Fourier-mask speed: masks per second batched vs one image at a time (same steps, same masks to tolerance); batched
mask steps against plain training steps of the same model (forward, backward, SGD step on its weights, same batch:
issue 20 asks for a ratio of at least 0.8); and the IdCor permutation test vectorised vs a loop of scikit-dimension
TwoNN calls (one process).

    OMP_NUM_THREADS=1 python benchmarks/masks.py

Writes results/bench-masks.json.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

from nullsight.device import resolve_device
from nullsight.io import write_json
from nullsight.masks import MaskConfig, optimise_masks, optimise_masks_loop
from nullsight.masks.correlation import idcor_preprocess, permutation_ids, permutation_ids_loop, sq_distances
from nullsight.models import load_model
from nullsight.normalization import Normalization
from nullsight.versions import versions


def small_cnn() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.Conv2d(16, 16, 3, padding=1, stride=2), nn.ReLU(),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 10)).eval()


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def time_masks(model: nn.Module, n: int, steps: int, device: torch.device = torch.device("cpu")) -> dict:
    norm = Normalization.of([0.5] * 3, [0.25] * 3)
    model = model.to(device)
    x = torch.rand(n, 3, 32, 32, generator=torch.Generator().manual_seed(0)).to(device)
    with torch.no_grad():
        y = model(norm.to_model(x)).argmax(1)
    config = MaskConfig(min_steps=steps, max_steps=steps)
    optimise_masks(model, norm, x[:2], y[:2], MaskConfig(min_steps=2, max_steps=2))  # warm-up (CUDA kernels, allocator)
    _sync(device)
    start = time.perf_counter()
    batched = optimise_masks(model, norm, x, y, config)
    _sync(device)
    batched_s = time.perf_counter() - start
    start = time.perf_counter()
    looped = optimise_masks_loop(model, norm, x, y, config)
    _sync(device)
    loop_s = time.perf_counter() - start
    return {"images": n, "steps": steps, "batched_s": round(batched_s, 3), "loop_s": round(loop_s, 3),
            "batched_masks_per_s": round(n / batched_s, 3), "loop_masks_per_s": round(n / loop_s, 3),
            "ratio": round(loop_s / batched_s, 2),
            "max_abs_mask_diff": float((batched.masks - looped.masks).abs().max())}


def _train_steps(model: nn.Module, norm: Normalization, x: torch.Tensor, y: torch.Tensor, steps: int) -> None:
    model.train()
    for p in model.parameters():
        p.requires_grad_(True)
    optimiser = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)
    for _ in range(steps):
        optimiser.zero_grad(set_to_none=True)
        torch.nn.functional.cross_entropy(model(norm.to_model(x)), y).backward()
        optimiser.step()
    model.eval()


def time_against_training(model: nn.Module, n: int, steps: int, repeats: int = 3,
                          device: torch.device = torch.device("cpu")) -> dict:
    """Images per second: batched mask steps (every mask kept moving: min_steps = max_steps) against plain training
    steps on the same batch, interleaved, best of ``repeats`` each."""
    norm = Normalization.of([0.5] * 3, [0.25] * 3)
    model = model.to(device)
    x = torch.rand(n, 3, 32, 32, generator=torch.Generator().manual_seed(0)).to(device)
    with torch.no_grad():
        y = model.eval()(norm.to_model(x)).argmax(1)
    state = {k: v.clone() for k, v in model.state_dict().items()}
    config = MaskConfig(min_steps=steps, max_steps=steps)
    best_train = best_masks = float("inf")
    for _ in range(repeats):
        _sync(device)
        start = time.perf_counter()
        _train_steps(model, norm, x, y, steps)
        _sync(device)
        best_train = min(best_train, time.perf_counter() - start)
        model.load_state_dict(state)
        start = time.perf_counter()
        optimise_masks(model, norm, x, y, config)
        _sync(device)
        best_masks = min(best_masks, time.perf_counter() - start)
    train_rate, mask_rate = n * steps / best_train, n * steps / best_masks
    return {"images": n, "steps": steps, "repeats": repeats, "train_images_per_s": round(train_rate, 1),
            "mask_images_per_s": round(mask_rate, 1), "ratio": round(mask_rate / train_rate, 2)}


def time_permutations(pairs: int, dim: int, permutations: int, loop_permutations: int) -> dict:
    rng = np.random.default_rng(0)
    t = rng.uniform(size=(pairs, 4))
    x = idcor_preprocess(np.tanh(t @ rng.normal(size=(4, dim))))
    y = idcor_preprocess(np.sin(t @ rng.normal(size=(4, dim))))
    generator = torch.Generator().manual_seed(0)
    perms = torch.stack([torch.randperm(pairs, generator=generator) for _ in range(permutations)])
    start = time.perf_counter()
    fast = permutation_ids(sq_distances(x), sq_distances(y), perms, chunk=16)
    fast_s = time.perf_counter() - start
    start = time.perf_counter()
    slow = permutation_ids_loop(x, y, perms[:loop_permutations])
    loop_s = (time.perf_counter() - start) * permutations / loop_permutations
    return {"pairs": pairs, "dim_each": dim, "permutations": permutations, "vectorised_s": round(fast_s, 3),
            "loop_s_extrapolated": round(loop_s, 3), "loop_permutations_timed": loop_permutations,
            "ratio": round(loop_s / fast_s, 2),
            "max_abs_id_diff": float((fast[:loop_permutations] - slow).abs().max())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=32, help="images whose masks are optimised")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--train-batch", type=int, default=128, help="batch of the masks-vs-training comparison")
    parser.add_argument("--pairs", type=int, default=1000)
    parser.add_argument("--permutations", type=int, default=100)
    parser.add_argument("--loop-permutations", type=int, default=10)
    parser.add_argument("--device", default="cpu", help="cpu | cuda | auto (the batched ratio depends on it)")
    parser.add_argument("--out", type=Path, default=Path("results/bench-masks.json"))
    args = parser.parse_args()
    device = resolve_device(args.device)
    resnet = load_model("nullsight:resnet20").module
    write_json(args.out, {
        "kind": "bench-masks", "command": shlex.join(["python", *sys.argv]), "threads": torch.get_num_threads(),
        "device": str(device),
        "masks_resnet20": time_masks(resnet, args.n, args.steps, device),
        "masks_small_cnn": time_masks(small_cnn(), args.n, args.steps, device),
        "masks_vs_training_resnet20": time_against_training(resnet, args.train_batch, args.steps, device=device),
        "idcor_permutations": time_permutations(args.pairs, 3 * 32 * 32, args.permutations, args.loop_permutations),
        "versions": versions()})
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()

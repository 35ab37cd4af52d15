"""Training speed against the hardware's own rate: ``nullsight train``'s loop against a bare forward + backward +
optimiser step of the same model on the same batches, in the same process (issue 20: the loop must reach 0.8).

    OMP_NUM_THREADS=1 python benchmarks/train.py

The bare loop is the floor of what any training loop can do on this machine: random batches already in memory,
no shuffling, no augmentation, no bookkeeping.  ``ratio`` = loop images/s over bare images/s.  Writes
results/bench-train.json.

Both are timed in CPU seconds of the calling thread (``time.thread_time``), not wall seconds: with one thread every
op runs on it, and a neighbour on the machine (a background training, the test suite) then slows neither side's
clock, so the ratio no longer swings with the load (wall-clock ratios of the same code ranged 0.62-1.05 beside two
busy processes).  Both sides run two passes over the data (the loop: two epochs, from the call).
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from pathlib import Path

import torch
from torch import nn

from nullsight.io import write_json
from nullsight.models import load_model
from nullsight.train import TrainConfig, train_classifier
from nullsight.versions import versions

MODELS = {  # name: (spec, input shape, augmentation, optimiser, images per timed epoch: ~10 s of bare work on a core)
    "resnet20": ("nullsight:resnet20", (3, 32, 32), "crop-flip", "sgd", 2048),
    "nula-w0.25": ("nullsight:nula-w0.25", (3, 32, 32), "none", "adam", 2048),
    "mlp": ("nullsight:mlp", (784,), "none", "adam", 30000),
}


def bare_rate(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch: int, optimiser: str) -> float:
    """Images per second of forward + backward + step over ``x`` in fixed batches (NHWC for images, as the loop)."""
    layout = torch.channels_last if x.ndim == 4 else torch.contiguous_format
    model.train().to(memory_format=layout)
    x = x.contiguous(memory_format=layout)
    opt = (torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, nesterov=True) if optimiser == "sgd"
           else torch.optim.Adam(model.parameters(), lr=1e-3))
    loss_fn = nn.CrossEntropyLoss()
    start = time.thread_time()
    for _ in range(2):
        for i in range(0, len(x), batch):
            opt.zero_grad(set_to_none=True)
            loss_fn(model(x[i:i + batch]), y[i:i + batch]).backward()
            opt.step()
    return 2 * len(x) / (time.thread_time() - start)


def loop_rate(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch: int, augment: str, optimiser: str) -> float:
    """Images per second of a whole :func:`nullsight.train.train_classifier` call of two epochs over the same data
    (its set-up included; the first round also pays one-off imports, which the best of the rounds leaves out)."""
    config = TrainConfig(epochs=2, batch_size=batch, lr=0.01, optimizer=optimiser, augment=augment, seed=0)
    start = time.thread_time()
    train_classifier(model, x, y, config)
    return 2 * len(x) / (time.thread_time() - start)


def measure(name: str, n: int | None, batch: int, rounds: int) -> dict:
    spec, shape, augment, optimiser, default_n = MODELS[name]
    n = n or default_n
    g = torch.Generator().manual_seed(0)
    x, y = torch.randn(n, *shape, generator=g), torch.randint(0, 10, (n,), generator=g)
    bare, loop = [], []
    for _ in range(rounds):  # interleaved, so a change of load hits both alike
        bare.append(bare_rate(load_model(spec, seed=0).module, x, y, batch, optimiser))
        loop.append(loop_rate(load_model(spec, seed=0).module, x, y, batch, augment, optimiser))
    best_bare, best_loop = max(bare), max(loop)
    return {"model": spec, "images": n, "batch": batch, "augment": augment, "optimizer": optimiser, "rounds": rounds,
            "bare_images_per_s": round(best_bare, 1), "loop_images_per_s": round(best_loop, 1),
            "ratio": round(best_loop / best_bare, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--n", type=int, default=None, help="Images per timed epoch (default: per model).")
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--rounds", type=int, default=3, help="Timed repeats of each (best of).")
    parser.add_argument("--out", default="results/bench-train.json")
    args = parser.parse_args()
    runs = {name: measure(name, args.n, args.batch, args.rounds) for name in args.models.split(",")}
    record = {"kind": "bench-train", "threads": torch.get_num_threads(), "runs": runs, "versions": versions(),
              "command": "python " + shlex.join(["benchmarks/train.py", *sys.argv[1:]])}
    write_json(Path(args.out), record)
    for name, r in runs.items():
        print(f"{name}: loop {r['loop_images_per_s']} img/s, bare {r['bare_images_per_s']} img/s, ratio {r['ratio']}")


if __name__ == "__main__":
    main()

"""NULA speed (seed 004): training throughput, the kernels fast vs dense, the perturbation suite batched vs one at a time.

    OMP_NUM_THREADS=1 python benchmarks/nula.py [--steps 3] [--out results/bench-nula.json]

* Training images/s (forward + backward + Adam step, batch 64, 32x32x3) for the
  full-width NULA (5.22M) and the experiment width, NCHW vs channels_last, and
  1 vs 2 DDP processes (gloo, torchrun) for the experiment width.
* ``ker(D)`` of the five operators on a 32x32 channel: separable (matrix-free)
  vs the dense fp64 SVD, same run, same dimensions required.
* The six-perturbation suite on 128 images: batched (256) vs one image at a time.
Wall-clock on a shared CPU: ratios within one run are the figures to read.
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

from nullsight.io import write_json
from nullsight.models.nula import Nula
from nullsight.normalization import PM1
from nullsight.sampling.kernels import dense_kernel, separable_kernel
from nullsight.sampling.operators import DOWNSAMPLERS
from nullsight.sampling.perturbations import CARD_SUITE, resolve
from nullsight.sampling.suite import suite_accuracy
from nullsight.versions import versions

DDP_SCRIPT = """
import sys, time, torch
from nullsight.models.nula import Nula
from nullsight.train import TrainConfig, distributed
from nullsight.train.loop import train_classifier
torch.set_num_threads(1)
with distributed.process_group(torch.device("cpu")):
    width, n = float(sys.argv[1]), int(sys.argv[2])
    model = Nula(width=width)
    x, y = torch.randn(n, 3, 32, 32), torch.randint(0, 10, (n,))
    start = time.perf_counter()
    train_classifier(model, x, y, TrainConfig(epochs=1, batch_size=64))
    if distributed.is_main_process():
        print(n / (time.perf_counter() - start))
"""


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def train_throughput(width: float, channels_last: bool, steps: int, batch: int = 64) -> float:
    torch.manual_seed(0)
    model = Nula(width=width)
    x, y = torch.randn(batch, 3, 32, 32), torch.randint(0, 10, (batch,))
    if channels_last:
        model, x = model.to(memory_format=torch.channels_last), x.to(memory_format=torch.channels_last)
    opt = torch.optim.Adam(model.parameters())

    def step():
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()

    step()  # warm-up
    seconds, _ = timed(lambda: [step() for _ in range(steps)])
    return steps * batch / seconds


def ddp_throughput(width: float, procs: int, n: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "ddp_bench.py"
        script.write_text(DDP_SCRIPT)
        run = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", str(procs),
                              str(script), str(width), str(n)], capture_output=True, text=True,
                             env=dict(os.environ, OMP_NUM_THREADS="1"), check=True)
    return float(run.stdout.strip().splitlines()[-1])


def bench_kernels() -> dict:
    rows, fast_total, dense_total = [], 0.0, 0.0
    for name in DOWNSAMPLERS.names():
        op = DOWNSAMPLERS.get(name)
        fast_s, fast = timed(lambda: separable_kernel(op, 32))
        dense_s, dense = timed(lambda: dense_kernel(op, 32))
        assert fast.nullity == dense.nullity, name
        fast_total, dense_total = fast_total + fast_s, dense_total + dense_s
        rows.append({"operator": name, "nullity": fast.nullity, "fast_s": fast_s, "dense_s": dense_s, "speedup": dense_s / fast_s})
    return {"size": 32, "operators": rows, "fast_total_s": fast_total, "dense_total_s": dense_total, "speedup": dense_total / fast_total}


def bench_suite(width: float, n: int = 128) -> dict:
    torch.manual_seed(0)
    model = Nula(width=width).eval()
    pixels, labels = torch.rand(n, 3, 32, 32), torch.randint(0, 10, (n,))
    chosen = [resolve(p) for p in CARD_SUITE]
    batched_s, a = timed(lambda: suite_accuracy(model, pixels, labels, chosen, PM1.to_model, 256))
    single_s, b = timed(lambda: suite_accuracy(model, pixels, labels, chosen, PM1.to_model, 1))
    assert a == b
    return {"n": n, "width": width, "batched_s": batched_s, "one_at_a_time_s": single_s, "speedup": single_s / batched_s}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--width", type=float, default=0.125, help="the experiment width")
    parser.add_argument("--ddp-images", type=int, default=512)
    parser.add_argument("--out", default="results/bench-nula.json")
    args = parser.parse_args()
    torch.set_num_threads(1)
    train = {}
    for width in (1.0, args.width):
        for cl in (False, True):
            train[f"w{width:g}{'-channels_last' if cl else ''}"] = train_throughput(width, cl, args.steps)
    ddp = {f"{p}proc": ddp_throughput(args.width, p, args.ddp_images) for p in (1, 2)}
    result = {
        "kind": "bench-nula", "command": shlex.join([sys.executable, *sys.argv]), "threads": 1,
        "train_images_per_s": train,
        "ratios": {
            "experiment_vs_full_width": train[f"w{args.width:g}"] / train["w1"],
            "channels_last_vs_nchw_full": train["w1-channels_last"] / train["w1"],
            "channels_last_vs_nchw_experiment": train[f"w{args.width:g}-channels_last"] / train[f"w{args.width:g}"],
            "ddp_2proc_vs_1proc": ddp["2proc"] / ddp["1proc"],
        },
        "ddp_images_per_s": ddp,
        "kernels": bench_kernels(),
        "suite": bench_suite(args.width),
        "versions": versions(),
    }
    result["ratios"]["kernels_dense_vs_fast"] = result["kernels"]["speedup"]
    result["ratios"]["suite_one_at_a_time_vs_batched"] = result["suite"]["speedup"]
    write_json(args.out, result)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

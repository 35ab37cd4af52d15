"""Peak memory of the streaming audit against the checkpoint's size (issue #10: a checkpoint too large to build).

    OMP_NUM_THREADS=1 python benchmarks/audit_streaming.py                 # 0.25 GB and 2.6 GB fp16, under /tmp, deleted after
    OMP_NUM_THREADS=1 python benchmarks/audit_streaming.py --layers 8      # a quick check

Writes a synthetic sharded fp16 checkpoint shaped like a decoder-only
transformer (token embedding, per layer q/k/v/o and a 4x MLP, norms) with
:func:`nullsight.models.streaming.save_sharded`, then, each in a fresh process,
(1) audits it with :func:`nullsight.audit.streaming.stream_audit` and
(2) for contrast loads it whole with ``safetensors.torch.load_file`` and reads
every tensor (what building the model costs), recording
each process's peak resident memory (``VmHWM``, reset after the imports) and
its baseline (``VmRSS`` after the imports).  Two sizes with the same largest
tensor show that the peak follows the largest tensor, not the checkpoint.
Writes results/bench-audit-streaming.json.
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

from nullsight.io import write_json
from nullsight.models.streaming import save_sharded
from nullsight.versions import versions

_CHILD = r"""
import json, sys, time
from pathlib import Path
import torch
from nullsight.audit.streaming import stream_audit
from nullsight.models.streaming import checkpoint_files, read_entries

def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024

Path("/proc/self/clear_refs").write_text("5")  # reset the peak (VmHWM) to the current RSS: imports are baseline
base = status("VmRSS")
mode, index = sys.argv[1], Path(sys.argv[2])
start = time.perf_counter()
if mode == "stream":
    audit = stream_audit(read_entries(checkpoint_files(index)), "synthetic")
    info = {"n_weights": audit.n_weights, "skipped": len(audit.skipped), "sum_nullity": audit.sum_nullity,
            "methods": sorted({l.method for l in audit.layers})}
else:
    from safetensors.torch import load_file
    state = {}
    for f in checkpoint_files(index):
        state.update(load_file(str(f)))
    info = {"tensors": len(state), "checksum": float(sum(t.float().sum() for t in state.values()))}  # every page read
info["seconds"] = round(time.perf_counter() - start, 2)
info["baseline_rss_bytes"] = base
info["peak_rss_bytes"] = status("VmHWM")
print(json.dumps(info))
"""


def synthetic_state(layers: int, d: int, vocab: int, seed: int):
    """``(name, fp16 tensor)`` of a decoder-only transformer, one at a time."""
    g = torch.Generator().manual_seed(seed)
    rand = lambda *shape: (torch.randn(*shape, generator=g) / shape[-1] ** 0.5).half()  # noqa: E731
    yield "model.embed_tokens.weight", rand(vocab, d)
    for i in range(layers):
        p = f"model.layers.{i}."
        for name in ("q_proj", "k_proj", "v_proj", "o_proj"):
            yield p + f"self_attn.{name}.weight", rand(d, d)
        yield p + "mlp.up_proj.weight", rand(4 * d, d)
        yield p + "mlp.down_proj.weight", rand(d, 4 * d)
        yield p + "input_layernorm.weight", torch.ones(d, dtype=torch.float16)
    yield "model.norm.weight", torch.ones(d, dtype=torch.float16)


def child(mode: str, index: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", _CHILD, mode, str(index)], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(layers: int, d: int, vocab: int, shard_mb: int, full_load: bool) -> dict:
    """Write one synthetic checkpoint under /tmp, measure, delete it."""
    root = Path(tempfile.mkdtemp(prefix="nullsight-bench-stream-", dir="/tmp"))
    try:
        start = time.perf_counter()
        index = save_sharded(synthetic_state(layers, d, vocab, 0), root, shard_mb * 2**20)
        write_s = time.perf_counter() - start
        shards = sorted(root.glob("*.safetensors"))
        size = sum(f.stat().st_size for f in shards)
        largest = max(t["data_offsets"][1] - t["data_offsets"][0] for f in shards
                      for k, t in _header(f).items() if k != "__metadata__")
        stream = child("stream", index)
        above = stream["peak_rss_bytes"] - stream["baseline_rss_bytes"]
        row = {
            "checkpoint": {"bytes": size, "gib": round(size / 2**30, 3), "shards": len(shards), "dtype": "float16",
                           "layers": layers, "d": d, "vocab": vocab, "largest_tensor_bytes": largest,
                           "write_s": round(write_s, 1)},
            "stream_audit": stream | {"peak_over_baseline_bytes": above,
                                      "peak_over_baseline_per_largest_tensor": round(above / largest, 2),
                                      "peak_fraction_of_checkpoint": round(stream["peak_rss_bytes"] / size, 4)},
        }
        if full_load:
            full = child("load", index)
            row["full_load"] = full | {"peak_over_baseline_bytes": full["peak_rss_bytes"] - full["baseline_rss_bytes"],
                                       "peak_fraction_of_checkpoint": round(full["peak_rss_bytes"] / size, 4)}
        return row
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layers", type=int, nargs="+", default=[8, 100], help="one checkpoint per value")
    parser.add_argument("--d", type=int, default=1024)
    parser.add_argument("--vocab", type=int, default=32000)
    parser.add_argument("--shard-mb", type=int, default=500)
    parser.add_argument("--no-full-load", action="store_true", help="skip the whole-checkpoint load for contrast")
    parser.add_argument("--out", type=Path, default=Path("results/bench-audit-streaming.json"))
    args = parser.parse_args()
    runs = [run(n, args.d, args.vocab, args.shard_mb, not args.no_full_load) for n in args.layers]
    result = {"kind": "bench-audit-streaming", "command": shlex.join(["python", *sys.argv]),
              "threads": torch.get_num_threads(), "versions": versions(), "runs": runs}
    write_json(args.out, result)
    print(json.dumps(result, indent=1))


def _header(file: Path) -> dict:
    with open(file, "rb") as handle:
        n = int.from_bytes(handle.read(8), "little")
        return json.loads(handle.read(n))


if __name__ == "__main__":
    main()

"""Collision speed: verified collisions per second (batched vs one at a time), Fig. 5 over basis vectors
(batched vs one at a time), and the operator null space (matrix-free vs the dense fp64 SVD reference), each pair
in one process.

    python benchmarks/collide.py [--n 8] [--fig5-vectors 64] [--out results/bench-collide.json]

DeiT-Tiny (timm, random init) at 224x224 on the CPU; every collision is fully
verified (fp32 + fp64 forward passes with per-layer hooks, plus the clipped and
PNG re-checks).  The null-space part compares, on operators small enough for a
dense SVD, the polyphase-Fourier spectrum (circular operator) and the LOBPCG
estimate (zero-padded operator) with the dense reference: the same dimension
must be found.  ResNet-50's conv1 at 224x224 shows the matrix-free cost where
the dense matrix (802816 x 150528) is out of reach.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn

from nullsight.collisions import NullSpaceSearch
from nullsight.collisions.conv_null import null_space_for, periodic_spectrum
from nullsight.collisions.first_layer import find_first_layer
from nullsight.collisions.pixel import PixelSpace
from nullsight.data import load_data
from nullsight.io import write_json
from nullsight.linalg import default_rtol
from nullsight.models import load_model
from nullsight.versions import versions


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def bench_verified(n: int) -> dict:
    loaded = load_model("timm:deit_tiny_patch16_224", seed=0)
    batch = load_data("foolbox-imagenet", n=n)
    search = NullSpaceSearch(loaded.module, batch.mean, batch.std, loaded.input_size, beta=0.05)
    prep_s, _ = timed(search.prepare)
    search(batch.images[:1])  # warm-up
    batched_s, res = timed(lambda: search(batch.images))
    single_s, singles = timed(lambda: [search(batch.images[i : i + 1]) for i in range(n)])
    return {"model": "timm:deit_tiny_patch16_224 (random init)", "n": n, "prepare_s": round(prep_s, 3),
            "batched_s": round(batched_s, 3), "one_at_a_time_s": round(single_s, 3),
            "verified_per_s_batched": round(n / batched_s, 3), "verified_per_s_one_at_a_time": round(n / single_s, 3),
            "batched_speedup": round(single_s / batched_s, 2),
            "all_exact": all(res.verification.exact) and all(all(r.verification.exact) for r in singles),
            "max_rel_diff_fp64": max(max(r.verification.max_rel_diff_fp64) for r in [res, *singles])}


def bench_fig5(vectors: int) -> dict:
    """Fig. 5 on DeiT-Tiny's first ``vectors`` basis vectors: 32 per forward pass vs one per forward pass."""
    from nullsight.collisions.fig5 import per_basis_vector

    loaded = load_model("timm:deit_tiny_patch16_224", seed=0)
    batch = load_data("foolbox-imagenet", n=1)
    search = NullSpaceSearch(loaded.module, batch.mean, batch.std, loaded.input_size, beta=1.0)
    search.prepare()
    batched_s, batched = timed(lambda: per_basis_vector(search, batch.images, limit=vectors, chunk=32))
    single_s, single = timed(lambda: per_basis_vector(search, batch.images, limit=vectors, chunk=1))
    same = max(abs(a - b) for a, b in zip(batched.per_vector_output_fp64, single.per_vector_output_fp64))
    return {"model": "timm:deit_tiny_patch16_224 (random init)", "vectors": vectors, "of": batched.null_dim,
            "layers": len(batched.layers), "batched_s": round(batched_s, 3), "one_at_a_time_s": round(single_s, 3),
            "speedup": round(single_s / batched_s, 2), "max_abs_fp64_any_layer": max(batched.max_abs_fp64),
            "max_output_diff_between_paths_fp64": same}


def bench_resize_kernel() -> dict:
    """A detector's input resize: the separable null space (two 1-D SVDs) vs the dense SVD of the 2-D operator."""
    from nullsight.collisions.resize_null import resize_kernel

    size, out = (60, 80), (32, 40)
    fast_s, kernel = timed(lambda: resize_kernel(size, out))

    def dense():
        a = torch.kron(kernel.factor_h, kernel.factor_w)
        s = torch.linalg.svdvals(a)
        return a.shape[1] - int((s > default_rtol(tuple(a.shape), torch.float64) * s[0]).sum())

    ref_s, ref_dim = timed(dense)
    return {"operator": f"bilinear resize {size[0]}x{size[1]} -> {out[0]}x{out[1]} (a detector's transform)",
            "fast": "separable 1-D SVDs", "fast_s": round(fast_s, 4), "reference_s": round(ref_s, 3),
            "speedup": round(ref_s / fast_s, 1), "dim_fast": kernel.nullity, "dim_reference": ref_dim,
            "same_dim": kernel.nullity == ref_dim}


def bench_null_space() -> list[dict]:
    torch.manual_seed(0)
    rows = []
    # circular operator: polyphase per frequency vs dense SVD of the circular matrix
    conv = nn.Conv2d(3, 8, 3, stride=2, padding=1)
    first = find_first_layer(PixelSpace(nn.Sequential(conv), [0.0] * 3, [1.0] * 3), (3, 32, 32))
    rtol = default_rtol((8, 27), torch.float32)
    fast_s, spec = timed(lambda: periodic_spectrum(first, rtol))

    def dense_circular():
        n = 3 * 32 * 32
        eye = torch.eye(n, dtype=torch.float64).reshape(n, 3, 32, 32)
        a = F.conv2d(F.pad(eye, (1, 1, 1, 1), mode="circular"), first.weight, stride=2).reshape(n, -1).T
        return n - int((torch.linalg.svdvals(a) > spec.tolerance).sum())

    ref_s, ref_dim = timed(dense_circular)
    rows.append({"operator": "circular conv 3->8, 3x3, stride 2 at 32x32", "fast": "polyphase-Fourier",
                 "fast_s": round(fast_s, 4), "reference_s": round(ref_s, 3), "speedup": round(ref_s / fast_s, 1),
                 "dim_fast": spec.nullity, "dim_reference": ref_dim, "same_dim": spec.nullity == ref_dim})
    # zero-padded operator: matrix-free (periodic + LOBPCG) vs dense operator SVD
    conv = nn.Conv2d(3, 16, 3, stride=2, padding=1)
    first = find_first_layer(PixelSpace(nn.Sequential(conv), [0.0] * 3, [1.0] * 3), (3, 32, 32))
    fast_s, free = timed(lambda: null_space_for(first, dense_limit=0, lobpcg_iters=30))
    ref_s, dense = timed(lambda: null_space_for(first, dense_limit=10**6))
    rows.append({"operator": "zero-padded conv 3->16, 3x3, stride 2, pad 1 at 32x32", "fast": "matrix-free",
                 "fast_s": round(fast_s, 3), "reference_s": round(ref_s, 3), "speedup": round(ref_s / fast_s, 2),
                 "dim_fast": free.dim, "dim_reference": dense.dim, "same_dim": free.dim == dense.dim,
                 "sigma_min_reference": dense.sigma_min, "sigma_min_estimate": free.sigma_min})
    # ResNet-50 conv1 at 224: matrix-free only
    loaded = load_model("torchvision:resnet50", seed=0)
    first = find_first_layer(PixelSpace(loaded.module, [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]), (3, 224, 224))
    fast_s, free = timed(lambda: null_space_for(first, lobpcg_iters=15))
    rows.append({"operator": "ResNet-50 conv1 (7x7, stride 2, pad 3) at 224x224", "fast": "matrix-free",
                 "fast_s": round(fast_s, 2), "reference_s": None, "dim_fast": free.dim,
                 "periodic_nullity": free.periodic.nullity, "periodic_sigma_min": free.periodic.sigma_min,
                 "sigma_min_estimate": free.sigma_min,
                 "why_no_reference": "dense operator 802816 x 150528 (about 1 TB in fp64)"})
    rows.append(bench_resize_kernel())
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=8)
    ap.add_argument("--fig5-vectors", type=int, default=64)
    ap.add_argument("--out", default="results/bench-collide.json")
    args = ap.parse_args()
    result = {"kind": "bench-collide", "command": shlex.join(["python", *sys.argv]), "threads": torch.get_num_threads(),
              "verified": bench_verified(args.n), "fig5": bench_fig5(args.fig5_vectors), "null_space": bench_null_space(), "versions": versions()}
    write_json(args.out, result)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

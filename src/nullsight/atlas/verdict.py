"""Can the first operator be collided exactly?  A verdict for one operator *signature*, with its evidence.

Seed 000, Definition 4 builds ``x + beta phi`` with ``phi`` in the null space of the first weight; Remark 2 extends
it to convolutions.  An exact collision through the first operator ``A`` exists iff ``A`` (the whole operator at the
input resolution, not one patch) is not injective.  For generic weights this depends only on the operator's
signature (kind, channels, kernel, stride, padding, dilation, groups, input size), so it is decided once per
signature with seeded random weights (the layer's own initialiser, fp64) and shared by every model with that stem.

Verdicts (every one made on random init says ``generic_weights``):

- ``exact``: ``A`` has a null space; a vector ``v`` in it (``||v|| = 1``) is built and checked by a forward pass of
  the operator alone: ``max |A x - A (x + v)|`` at fp64 and fp32.  Where found:
  fc and patchify from ``ker(W_1)`` (Lemma 1, Remark 2) or from input pixels no output reads; a convolution from
  the dense operator (small inputs) or from a *local window*: a window ``S`` of input pixels and the outputs
  ``O(S)`` that read it; a null vector of ``A[O(S), S]`` is one of ``A`` (no other output reads ``S``).
- ``impossible``: ``A`` is injective, with its certificate: ``sigma_min`` of ``W_1`` (fc, patchify), of the dense
  operator (small inputs), or a *block-triangular* rank certificate for a convolution at any size: order the
  outputs in tiles (lexicographically); each tile reads some pixels no earlier tile read, so ``A`` restricted to
  those rows is block lower-triangular with diagonal blocks ``A[tile, new pixels]``.  If every diagonal block has
  full column rank (``sigma_min`` above the tolerance), ``A`` is injective.  Shift invariance leaves only a few
  distinct blocks.  The reported ``sigma_min`` is then the smallest of the blocks', not the operator's.
- ``undetermined``: neither test decided at the sizes allowed; the reason says which.

Every block is built from per-axis incidence tensors (output, pixel, tap), so 1-, 2- and 3-D convolutions
(signals, images, video) are one code path.  Tolerance: ``max(shape) * eps(fp32) * sigma_max(W_1)``, the policy of
:mod:`nullsight.linalg` for weights stored in fp32.
"""

from __future__ import annotations

import hashlib
import itertools
import math
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

from ..linalg import default_rtol

DENSE_LIMIT = 4096
"""Operators with at most this many input values are decided by a dense fp64 SVD of the whole operator."""
BLOCK_LIMIT = 2000
"""Largest column count of one block (a tile's diagonal block or a local window) given to a dense SVD."""
VECTOR_LIMIT = 5 * 10**7
"""Largest ``rows * cols`` of an fc weight whose null vector is constructed (the verdict stands without it)."""
_FIRST_TILES = (1, 2, 3, 4, 6, 8, 12)


@dataclass(frozen=True)
class Signature:
    """What decides a generic first operator's verdict.

    ``kind``: ``fc`` (a Linear on the flattened input, ``spatial == ()``), ``patchify`` (stride == kernel, no
    padding, dilation 1: disjoint patches; a Linear applied to disjoint tokens is a patchify with kernel 1) or
    ``conv`` (any other convolution).  ``padding`` is ``(before, after)`` per spatial axis.
    """

    kind: str
    in_channels: int
    out_channels: int
    spatial: tuple[int, ...] = ()
    kernel: tuple[int, ...] = ()
    stride: tuple[int, ...] = ()
    padding: tuple[tuple[int, int], ...] = ()
    dilation: tuple[int, ...] = ()
    groups: int = 1

    def key(self) -> str:
        """A stable text key (the store's primary key of the shared verdict)."""
        pads = ",".join(f"{a}+{b}" for a, b in self.padding)
        dims = lambda t: "x".join(str(v) for v in t) or "-"  # noqa: E731
        return (f"{self.kind}:{self.in_channels}->{self.out_channels}@{dims(self.spatial)}"
                f":k{dims(self.kernel)}:s{dims(self.stride)}:p{pads or '-'}:d{dims(self.dilation)}:g{self.groups}")

    @property
    def in_values(self) -> int:
        return self.in_channels * math.prod(self.spatial)

    @property
    def out_spatial(self) -> tuple[int, ...]:
        return tuple(_axis(self, a).outputs for a in range(len(self.spatial)))


@dataclass
class Decision:
    """A verdict with its evidence (``vector``: the null vector that was verified, not serialised)."""

    verdict: str
    null_dimension: int | None
    method: str
    lower_bound: bool = False
    max_abs_diff_fp32: float | None = None
    max_abs_diff_fp64: float | None = None
    sigma_min: float | None = None
    rank: int | None = None
    reason: str | None = None
    vector: torch.Tensor | None = field(default=None, repr=False)


def decide(sig: Signature, seed: int = 0, weight: torch.Tensor | None = None) -> Decision:
    """The verdict for ``sig``: with ``weight`` (fp64, ``(out, in/g, *kernel)`` or ``(out, in)``) when given, else
    with the layer's own random initialisation seeded by ``seed`` and the signature (generic weights)."""
    w = (weight if weight is not None else random_weight(sig, seed)).to(torch.float64)
    if sig.kind != "fc":
        w = w.reshape(sig.out_channels, sig.in_channels // sig.groups, *sig.kernel)
    if sig.kind == "fc":
        decision = _fc(sig, w)
    elif sig.kind == "patchify":
        decision = _patchify(sig, w)
    else:
        decision = _conv(sig, w)
    if decision.vector is not None:
        decision.max_abs_diff_fp64, decision.max_abs_diff_fp32 = verify(sig, w, decision.vector, seed)
    return decision


def random_weight(sig: Signature, seed: int) -> torch.Tensor:
    """The weight the layer's own initialiser (kaiming-uniform of ``nn.Linear`` / ``nn.ConvNd``) draws, fp64,
    seeded by ``seed`` and the signature (the same stem gets the same weights in every model)."""
    digest = int.from_bytes(hashlib.sha256(f"{seed}:{sig.key()}".encode()).digest()[:8], "little") % 2**63
    generator = torch.Generator().manual_seed(digest)
    shape = (sig.out_channels, sig.in_channels // sig.groups, *sig.kernel)
    fan_in = math.prod(shape[1:])
    bound = 1.0 / math.sqrt(fan_in)  # kaiming_uniform_(a=sqrt(5)) of nn.Linear / nn.ConvNd: U(-1/sqrt(fan_in), ..)
    return (torch.rand(shape, generator=generator, dtype=torch.float64) * 2 - 1) * bound


def apply(sig: Signature, w: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """The operator alone on a batch ``(B, C, *spatial)`` (``(B, in)`` for fc): ``A x``."""
    if sig.kind == "fc":
        return F.linear(x, w.to(x.dtype))
    pads = [p for before_after in reversed(sig.padding) for p in before_after]
    x = F.pad(x, pads) if any(pads) else x
    conv = (F.conv1d, F.conv2d, F.conv3d)[len(sig.spatial) - 1]
    return conv(x, w.to(x.dtype), None, sig.stride, 0, sig.dilation, sig.groups)


def verify(sig: Signature, w: torch.Tensor, v: torch.Tensor, seed: int) -> tuple[float, float]:
    """``max |A x - A (x + v)|`` at fp64 and fp32 for a seeded ``x`` with ``A x`` of order 1 (``||v|| = 1``)."""
    shape = (sig.in_channels, *sig.spatial)
    x = torch.rand((1, *shape), generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    v = v.reshape(1, *shape).to(torch.float64)
    diffs = []
    for dtype in (torch.float64, torch.float32):
        diffs.append(float((apply(sig, w, x.to(dtype)) - apply(sig, w, (x + v).to(dtype))).abs().max()))
    return diffs[0], diffs[1]


# --- fc and patchify: the null space of W_1 ---------------------------------------------------------------------------

def _tolerance(shape: tuple[int, int], sigma_max: float) -> float:
    return default_rtol(shape, torch.float32) * sigma_max


def _fc(sig: Signature, w: torch.Tensor) -> Decision:
    rows, cols = w.shape
    if rows * cols > VECTOR_LIMIT and rows < cols:
        return Decision("exact", cols - rows, "rank-nullity (Theorem 1)", lower_bound=True,
                        reason=f"W_1 is {rows} x {cols}: rows < cols forces a null space of dimension >= {cols - rows}; "
                               "too large to build a null vector")
    if rows * cols > VECTOR_LIMIT:
        return Decision("undetermined", None, "none", reason=f"W_1 is {rows} x {cols} (square or tall): too large for "
                                                             "a rank certificate here")
    _, s, vh = torch.linalg.svd(w, full_matrices=True)
    tol = _tolerance((rows, cols), float(s[0]))
    rank = int((s > tol).sum())
    if rank < cols:
        return Decision("exact", cols - rank, "svd-fp64 of W_1", rank=rank, sigma_min=_smallest(s, cols),
                        vector=vh[-1])
    return Decision("impossible", 0, "svd-fp64 of W_1", rank=rank, sigma_min=float(s[-1]),
                    reason=f"W_1 ({rows} x {cols}) has full column rank: sigma_min {float(s[-1]):.3e} > tolerance {tol:.1e}")


def _patchify(sig: Signature, w: torch.Tensor) -> Decision:
    unseen = _unseen_count(sig)
    per_group = [_svd(block) for block in _group_blocks(w, sig.groups)]
    nullity = sum(cols - rank for _, cols, rank, _ in per_group)
    patches = math.prod(_axis(sig, a).outputs for a in range(len(sig.spatial)))
    dim = patches * nullity + sig.in_channels * unseen
    cols_total = w.shape[1] * math.prod(sig.kernel) * sig.groups
    sigma_min = min(s for _, _, _, s in per_group)
    if nullity:
        g = next(i for i, (_, cols, rank, _) in enumerate(per_group) if rank < cols)
        phi = per_group[g][0]  # a null vector of the group's patch matrix, (in/g * prod(kernel),)
        v = torch.zeros((sig.in_channels, *sig.spatial), dtype=torch.float64)
        c = sig.in_channels // sig.groups
        window = tuple(slice(0, k) for k in sig.kernel)
        v[(slice(g * c, (g + 1) * c), *window)] = phi.reshape(c, *sig.kernel)
        return Decision("exact", dim, "svd-fp64 of the patch matrix", rank=sig.in_values - dim, sigma_min=sigma_min,
                        vector=v.flatten(),
                        reason=f"the {w.shape[0]} x {w.shape[1] * math.prod(sig.kernel)} patch matrix has nullity "
                               f"{nullity} in each of {patches} patches" + _unseen_note(sig, unseen))
    if unseen:
        return _unseen_decision(sig, "svd-fp64 of the patch matrix", sigma_min)
    return Decision("impossible", 0, "svd-fp64 of the patch matrix", rank=sig.in_values, sigma_min=sigma_min,
                    reason=f"disjoint patches, each through a patch matrix of full column rank ({cols_total} columns, "
                           f"sigma_min {sigma_min:.3e})")


def _svd(matrix: torch.Tensor) -> tuple[torch.Tensor, int, int, float]:
    """``(the right singular vector of the smallest singular value, cols, rank, sigma_min)`` of a small matrix
    (the null vector a collision is built from: the most null one, not the first below the tolerance)."""
    rows, cols = matrix.shape
    _, s, vh = torch.linalg.svd(matrix, full_matrices=True)
    rank = int((s > _tolerance((rows, cols), float(s[0]))).sum()) if s.numel() else 0
    return vh[-1], cols, rank, _smallest(s, cols)


def _smallest(s: torch.Tensor, cols: int) -> float:
    return float(s[-1]) if s.numel() == cols else 0.0


def _group_blocks(w: torch.Tensor, groups: int) -> list[torch.Tensor]:
    return list(w.reshape(groups, w.shape[0] // groups, -1))


# --- convolutions: per-axis geometry ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Axis:
    size: int
    kernel: int
    stride: int
    before: int
    after: int
    dilation: int

    @property
    def outputs(self) -> int:
        return (self.size + self.before + self.after - self.dilation * (self.kernel - 1) - 1) // self.stride + 1

    def field(self, o: int) -> set[int]:
        """The input positions output ``o`` reads (padding excluded)."""
        start = self.stride * o - self.before
        return {start + self.dilation * t for t in range(self.kernel) if 0 <= start + self.dilation * t < self.size}

    def incidence(self, outputs: list[int], pixels: list[int]) -> torch.Tensor:
        """``I[i, j, t] = 1`` where output ``outputs[i]``'s tap ``t`` reads pixel ``pixels[j]``."""
        out = torch.tensor(outputs).view(-1, 1, 1)
        px = torch.tensor(pixels).view(1, -1, 1)
        taps = torch.arange(self.kernel).view(1, 1, -1)
        return (self.stride * out - self.before + self.dilation * taps == px).to(torch.float64)


def _axis(sig: Signature, a: int) -> _Axis:
    return _Axis(sig.spatial[a], sig.kernel[a], sig.stride[a], sig.padding[a][0], sig.padding[a][1], sig.dilation[a])


def _seen(axis: _Axis) -> set[int]:
    return set().union(*(axis.field(o) for o in range(axis.outputs))) if axis.outputs > 0 else set()


def _unseen_count(sig: Signature) -> int:
    """Input positions no output reads (a position is read iff its coordinate is read on every axis)."""
    seen = math.prod(len(_seen(_axis(sig, a))) for a in range(len(sig.spatial)))
    return math.prod(sig.spatial) - seen


def _unseen_note(sig: Signature, unseen: int) -> str:
    return f", plus {unseen} input position(s) x {sig.in_channels} channel(s) that no output reads" if unseen else ""


def _unseen_decision(sig: Signature, method: str, sigma_min: float | None = None) -> Decision:
    """Exact: a pixel no output reads (the border a stride leaves, or the gaps of a dilated kernel)."""
    seen = [sorted(_seen(_axis(sig, a))) for a in range(len(sig.spatial))]
    position = next(p for p in itertools.product(*(range(n) for n in sig.spatial))
                    if any(p[a] not in set(seen[a]) for a in range(len(p))))
    v = torch.zeros((sig.in_channels, *sig.spatial), dtype=torch.float64)
    v[(0, *position)] = 1.0
    unseen = _unseen_count(sig)
    return Decision("exact", unseen * sig.in_channels, method + " + unread pixels",
                    lower_bound=sig.kind == "conv", sigma_min=sigma_min, vector=v.flatten(),
                    reason=f"{unseen} input position(s) are read by no output (x {sig.in_channels} channels): "
                           f"changing one leaves every output unchanged")


def _block(sig: Signature, w: torch.Tensor, incidences: list[torch.Tensor]) -> torch.Tensor:
    """``A[outputs, pixels]`` for one group's weight ``(out_g, in_g, *kernel)`` and per-axis incidences
    ``(n_out_a, n_px_a, kernel_a)``: rows ``(outputs..., out_g)``, columns ``(pixels..., in_g)``."""
    d = len(incidences)
    letters = "abcdefghijklmnopqrstuvwxyz"
    o, p, t = letters[:d], letters[d:2 * d], letters[2 * d:3 * d]
    spec = f"XY{t}," + ",".join(f"{o[a]}{p[a]}{t[a]}" for a in range(d)) + f"->{o}X{p}Y"
    block = torch.einsum(spec, w, *incidences)
    rows = math.prod(i.shape[0] for i in incidences) * w.shape[0]
    return block.reshape(rows, -1)


def _conv(sig: Signature, w: torch.Tensor) -> Decision:
    groups = [g.reshape(w.shape[0] // sig.groups, *w.shape[1:]) for g in _group_blocks(w, sig.groups)]
    sigma_max = max(float(torch.linalg.matrix_norm(g.reshape(g.shape[0], -1), ord=2)) for g in groups)
    unseen = _unseen_count(sig)
    out_values = sig.out_channels * math.prod(sig.out_spatial)
    if sig.in_values <= DENSE_LIMIT:
        return _dense(sig, groups, sigma_max)
    if unseen:
        return _unseen_decision(sig, "geometry")
    certificate = _triangular(sig, groups, sigma_max)
    if certificate is not None:
        return certificate
    deficit = sig.in_values - out_values
    in_g, out_g = groups[0].shape[1], groups[0].shape[0]
    # generic weights have a window null vector only when each stride step adds more inputs than outputs
    # (C/g * prod(stride) > C'/g): only then are larger windows worth their SVDs
    local = _local_window(sig, groups, sigma_max, (1, 2, 4) if in_g * math.prod(sig.stride) > out_g else (1,))
    if local is not None:
        vector, window = local
        return Decision("exact", max(deficit, 1), "local-window svd-fp64", lower_bound=True, vector=vector,
                        reason=f"a null vector supported on a {window} window (no other output reads it)"
                               + (f"; rank-nullity: >= {deficit}" if deficit > 0 else ""))
    if deficit > 0:
        return Decision("exact", deficit, "rank-nullity", lower_bound=True,
                        reason=f"{sig.in_values} inputs into {out_values} outputs; no local null vector built")
    return Decision("undetermined", None, "none",
                    reason=f"no block-triangular certificate with diagonal blocks up to {BLOCK_LIMIT} columns "
                           f"(the first tile reads too many pixels for its outputs) and no null vector in small "
                           f"windows (each stride step adds {in_g} x {math.prod(sig.stride)} inputs for {out_g} "
                           f"outputs; {sig.in_values} inputs, {out_values} outputs in all)")


def _dense(sig: Signature, groups: list[torch.Tensor], sigma_max: float) -> Decision:
    """The whole operator, one dense fp64 SVD per group (block diagonal over groups)."""
    axes = [_axis(sig, a) for a in range(len(sig.spatial))]
    incidences = [ax.incidence(list(range(ax.outputs)), list(range(ax.size))) for ax in axes]
    c = sig.in_channels // sig.groups
    nullity, smin, vector = 0, math.inf, None
    for g, weight in enumerate(groups):
        a = _block(sig, weight, incidences)
        _, s, vh = torch.linalg.svd(a, full_matrices=True)
        tol = _tolerance(tuple(a.shape), sigma_max)
        rank = int((s > tol).sum())
        nullity += a.shape[1] - rank
        smin = min(smin, _smallest(s, a.shape[1]))
        if rank < a.shape[1] and vector is None:
            vector = _embed(sig, g, c, vh[-1], [list(range(n)) for n in sig.spatial])
    if nullity:
        return Decision("exact", nullity, "dense-operator svd-fp64", rank=sig.in_values - nullity, sigma_min=smin,
                        vector=vector, reason=f"the whole operator at {_dims(sig.spatial)} has nullity {nullity}")
    return Decision("impossible", 0, "dense-operator svd-fp64", rank=sig.in_values, sigma_min=smin,
                    reason=f"the whole operator at {_dims(sig.spatial)} has full column rank (sigma_min {smin:.3e})")


def _embed(sig: Signature, group: int, c: int, local: torch.Tensor, pixels: list[list[int]]) -> torch.Tensor:
    """A vector over ``(pixels..., in_g)`` of one group placed into the full ``(C, *spatial)`` input, unit norm."""
    v = torch.zeros((sig.in_channels, *sig.spatial), dtype=torch.float64)
    values = local.reshape(*[len(p) for p in pixels], c).permute(-1, *range(len(pixels)))
    index = torch.meshgrid(*[torch.tensor(p) for p in pixels], indexing="ij")
    for ch in range(c):
        v[(group * c + ch, *index)] = values[ch]
    return (v / v.norm()).flatten()


def _partition(axis: _Axis, first: int) -> list[tuple[list[int], list[int]]]:
    """Output groups ``[0, first)``, then one output each, with the pixels each group reads first."""
    groups = [list(range(min(first, axis.outputs)))] + [[o] for o in range(first, axis.outputs)]
    covered: set[int] = set()
    out = []
    for outputs in groups:
        reads = set().union(*(axis.field(o) for o in outputs))
        out.append((outputs, sorted(reads - covered)))
        covered |= reads
    return out


def _triangular(sig: Signature, groups: list[torch.Tensor], sigma_max: float) -> Decision | None:
    """The block-triangular rank certificate (module docstring), trying larger first tiles until one holds."""
    axes = [_axis(sig, a) for a in range(len(sig.spatial))]
    for first in _FIRST_TILES:
        patterns = []
        for ax in axes:
            distinct: dict[bytes, torch.Tensor] = {}
            for outputs, pixels in _partition(ax, first):
                if pixels:
                    inc = ax.incidence(outputs, pixels)
                    distinct.setdefault(bytes(str(tuple(inc.shape)), "ascii") + inc.numpy().tobytes(), inc)
            patterns.append(list(distinct.values()))
        cols = max(math.prod(p.shape[1] for p in combo) for combo in itertools.product(*patterns))
        if cols * groups[0].shape[1] > BLOCK_LIMIT:
            return None
        smin, ok = math.inf, True
        combos = sorted(itertools.product(*patterns), key=lambda combo: -math.prod(p.shape[1] for p in combo))
        if any(math.prod(p.shape[0] for p in combo) * groups[0].shape[0]
               < math.prod(p.shape[1] for p in combo) * groups[0].shape[1] for combo in combos):
            continue  # a wide diagonal block: no certificate with this first tile
        for combo in combos:
            for weight in groups:
                block = _block(sig, weight, list(combo))
                if block.shape[0] < block.shape[1]:
                    ok = False
                    break
                s = torch.linalg.svdvals(block)
                if float(s[-1]) <= _tolerance(tuple(block.shape), sigma_max):
                    ok = False
                    break
                smin = min(smin, float(s[-1]))
            if not ok:
                break
        if ok:
            n_blocks = math.prod(len(p) for p in patterns) * len(groups)
            return Decision("impossible", 0, "block-triangular rank certificate", rank=sig.in_values, sigma_min=smin,
                            reason=f"outputs in tiles (first tile {first} per axis): {n_blocks} distinct diagonal "
                                   f"block(s), each of full column rank (smallest sigma_min {smin:.3e}; a rank "
                                   "certificate, not the operator's sigma_min)")
    return None


def _local_window(sig: Signature, groups: list[torch.Tensor], sigma_max: float,
                  scales: tuple[int, ...]) -> tuple[torch.Tensor, str] | None:
    """A null vector of ``A`` supported on a small window of the input (at a corner, an edge or the middle)."""
    axes = [_axis(sig, a) for a in range(len(sig.spatial))]
    c = groups[0].shape[1]
    for scale in scales:
        widths = [min(ax.size, max(ax.stride, 1) * scale + ax.dilation * (ax.kernel - 1)) for ax in axes]
        if math.prod(widths) * c > BLOCK_LIMIT:
            return None
        for places in itertools.product(("start", "middle", "end"), repeat=len(axes)):
            pixels = [_window(ax.size, width, place) for ax, width, place in zip(axes, widths, places)]
            outputs = [[o for o in range(ax.outputs) if ax.field(o) & set(px)] for ax, px in zip(axes, pixels)]
            if any(not o for o in outputs):
                continue
            incidences = [ax.incidence(o, px) for ax, o, px in zip(axes, outputs, pixels)]
            for g, weight in enumerate(groups):
                block = _block(sig, weight, incidences)
                _, s, vh = torch.linalg.svd(block, full_matrices=True)
                rank = int((s > _tolerance(tuple(block.shape), sigma_max)).sum())
                if rank < block.shape[1]:
                    return _embed(sig, g, c, vh[-1], pixels), "x".join(str(len(p)) for p in pixels) + f" ({'/'.join(places)})"
    return None


def _window(size: int, width: int, place: str) -> list[int]:
    start = 0 if place == "start" else size - width if place == "end" else (size - width) // 2
    return list(range(start, start + width))


def _dims(values: tuple[int, ...]) -> str:
    return "x".join(str(v) for v in values)

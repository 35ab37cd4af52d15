"""From names to results: ``sampling kernels`` and ``sampling eval`` (no I/O beyond loading models and data)."""

from __future__ import annotations

from typing import Sequence

import torch

from ..artifacts import Artifact
from ..errors import InvalidInputError
from ..models.classifier import FIT_METADATA_KEY, load_classifier
from ..models.zoo import ARCH_METADATA_KEY
from ..progress import Tracker
from .checkerboard import checkerboard_response
from .invariance import check_invariance
from .kernels import dense_kernel, kernel_dense_projector, separable_kernel
from .operators import DOWNSAMPLERS
from .perturbations import ANTIALIASED, CARD_SUITE, check_eps, resolve
from .result import OperatorKernel, SamplingEvalResult, SamplingKernelsResult, SuiteRow
from .suite import suite_accuracy
from .worst_case import KernelWorstCase, worst_case_row

DENSE_MAX_SIZE = 48  # the dense reference is (size^2)^2 fp64: 48 -> 5.3M entries


def operator_kernel(name: str, size: int, dense: bool, n_basis: int = 4) -> OperatorKernel:
    """:class:`OperatorKernel` of ``name`` at ``size``; ``dense`` adds the fp64 SVD reference."""
    op = DOWNSAMPLERS.get(name)
    k = separable_kernel(op, size)
    row = OperatorKernel(name, op.description, size, k.n, k.m, k.rank, k.nullity, max(k.n - k.m, 0),
                         float(k.sigma[k.row_basis.shape[1] - 1]), k.tolerance)
    if dense:
        ref = dense_kernel(op, size)
        diff = (kernel_dense_projector(k) - ref.basis @ ref.basis.transpose(0, 1)).abs().max()
        row.dense_rank, row.dense_nullity, row.projector_max_diff = ref.rank, ref.nullity, float(diff)
    if n_basis:
        row.basis_images = Artifact.of(k.basis_images(n_basis).to(torch.float16))
    return row


def kernels_run(*, size: int = 32, larger: Sequence[int] = (224, 1024), network: str = "nullsight:nula-w0.25",
                eps: Sequence[float] = (0.03, 0.05), n_images: int = 8, seed: int = 0,
                operators: Sequence[str] | None = None, dense: bool = True) -> SamplingKernelsResult:
    """Kernels of every operator at ``size`` (dense reference up to 48x48) and, matrix-free, at ``larger`` sizes;
    the checkerboard response; ``f = g o U o D`` checked blind to ``ker(D)`` with ``network`` (random init unless a file)."""
    names = list(operators or DOWNSAMPLERS.names())
    for e in eps:
        check_eps(e)
    if size < 4:
        raise InvalidInputError(f"--size must be at least 4, got {size}")
    rows = [operator_kernel(n, size, dense and size <= DENSE_MAX_SIZE) for n in names]
    big = [operator_kernel(n, s, False, n_basis=0) for s in larger for n in names]
    boards = [checkerboard_response(DOWNSAMPLERS.get(n), size, e, separable_kernel(DOWNSAMPLERS.get(n), size).project)
              for e in eps for n in names]
    loaded, norm, _ = load_classifier(network, seed=seed, input_size=(3, size, size), what="sampling kernels")
    generator = torch.Generator().manual_seed(seed)
    pixels = torch.rand((n_images, 3, size, size), generator=generator, dtype=torch.float64)
    checks = [check_invariance(DOWNSAMPLERS.get(n), separable_kernel(DOWNSAMPLERS.get(n), size), loaded.module, pixels,
                               norm.to_model, seed=seed) for n in names]
    return SamplingKernelsResult(size, rows, big, boards, checks, network, seed=seed)


def eval_run(model: str, data: str, *, n: int | None = None, split: str = "test",
             perturbations: Sequence[str] = CARD_SUITE + ANTIALIASED,
             worst_ops: Sequence[str] = ("resize-0.5", "resize-0.25", "decimate-2", "blurpool-2"),
             worst_eps: float = 0.05, worst_steps: int = 10, n_worst: int = 500, batch_size: int = 256,
             weights: str = "none", arch: str | None = None, seed: int = 0, label: str = "",
             device: torch.device | str = "cpu", track: Tracker | None = None, clip: bool = False) -> SamplingEvalResult:
    """The card's table for ``model`` on ``data``, plus the worst case within each of ``worst_ops``' kernels.

    Images reach the model's input size the way its checkpoint was trained (``nullsight.fit`` in its metadata:
    ``resize`` or ``pad``; ``resize`` where the checkpoint does not say)."""
    check_eps(worst_eps)
    chosen = [resolve(p) for p in perturbations]
    loaded, norm, batch = load_classifier(model, data, n=n, split=split, weights=weights, arch=arch, seed=seed,
                                          device=device, what="sampling eval")
    fit = loaded.extra.get("metadata", {}).get(FIT_METADATA_KEY, "resize")
    h, w = loaded.input_size[1:]
    pixels, labels = batch.images, batch.labels
    acc = suite_accuracy(loaded.module, pixels, labels, chosen, norm.to_model, batch_size, track, clip)
    first = pixels[:1].to(next(loaded.module.parameters()).device)
    examples = {p.name: _flat(p.apply(first).clamp(0.0, 1.0) if clip else p.apply(first)) for p in chosen}
    clean = acc.get("clean", next(iter(acc.values())))
    rows = [SuiteRow(p.name, p.label, acc[p.name], acc[p.name] - clean, p.paper_base, p.paper_robust) for p in chosen]
    worst = []
    torch.manual_seed(seed)
    for name in worst_ops:
        op = DOWNSAMPLERS.get(name)
        attack = KernelWorstCase(op, separable_kernel(op, h) if h == w else _square_only(h, w), worst_eps, worst_steps)
        worst.append(worst_case_row(attack, loaded.module, pixels[:n_worst], labels[:n_worst], norm.to_model, batch_size, track))
        examples[f"delta:{name}"] = _flat(attack.perturb(loaded.module, first, labels[:1].to(first.device), norm.to_model))
    arch_name = loaded.extra.get("metadata", {}).get(ARCH_METADATA_KEY) or (model if ":" in model else arch)
    return SamplingEvalResult(label, arch_name, len(pixels), list(loaded.input_size), list(norm.mean), list(norm.std),
                              rows, worst, clip, examples, fit=fit, model=model, data=data, split=split, seed=seed)


def _flat(images: torch.Tensor) -> Artifact:
    """Channel 0 of the first image ``(H, W)``, fp16 (a figure's worth, not a data set)."""
    return Artifact.of(images[0, 0].detach().to(torch.float16))


def _square_only(h: int, w: int):
    raise InvalidInputError(f"the kernel worst case needs square inputs, the model takes {h}x{w}")

"""Report sections for seed 004: operator kernels, the checkerboard, and the perturbation table beside the card's."""

from __future__ import annotations

import numpy as np

from ..report import Figure, Section, Table, figure_png, image_grid, new_figure, section_for
from .result import SamplingEvalResult, SamplingKernelsResult


def _basis_figure(r: SamplingKernelsResult) -> Figure:
    rows = [(op.name, [("", b.float()) for b in op.basis_images.load()], "signed") for op in r.operators
            if op.basis_images is not None]
    return image_grid(f"The first orthonormal basis images of ker(D) for each operator on a {r.size}x{r.size} channel",
                      rows, "Smoothest first; every image is mapped to zero by its operator.", cell=1.3)


@section_for(SamplingKernelsResult)
def kernels_sections(results: list[SamplingKernelsResult]) -> list[Section]:
    sections = []
    for r in results:
        kern = Table(f"ker(D) on one {r.size}x{r.size} channel: matrix-free (separable) and the dense fp64 SVD",
                     ["operator", "n", "m", "rank", "dim ker", "bound n - m", "dense dim ker", "max |P - N N^T|"],
                     [[o.name, o.n, o.m, o.rank, o.nullity, o.bound, o.dense_nullity, o.projector_max_diff] for o in r.operators])
        big = Table("Larger sizes, matrix-free", ["operator", "size", "n", "rank", "dim ker", "bound n - m"],
                    [[o.name, o.size, o.n, o.rank, o.nullity, o.bound] for o in r.larger])
        board = Table("The checkerboard eps (-1)^(i+j) through each operator",
                      ["operator", "eps", "||D delta||", "DC value", "||D delta - DC||", "in ker(D)", "share of delta in ker(D)"],
                      [[c.operator, c.eps, c.response_norm, c.response_mean, c.deviation_from_constant, c.in_kernel,
                        c.kernel_fraction] for c in r.checkerboard])
        inv = Table(f"f = g o U o D with g = {r.network}: logit change under delta in ker(D)",
                    ["operator", "||delta||_inf", "max |D(x+delta) - D(x)|", "relative change fp32", "relative change fp64",
                     "max change without D", "predictions changed without D"],
                    [[c.operator, c.eps, c.max_kernel_residual_fp64, c.relative_change_fp32, c.relative_change_fp64,
                      c.max_logit_change_without_d, f"{c.predictions_changed_without_d}/{c.n_images}"] for c in r.invariance])
        text = ("Every operator is full rank, so dim ker(D) = n - m exactly (the card's bound is attained). "
                "Decimation maps the checkerboard to the constant eps: a DC shift of norm eps*sqrt(m), not zero, so the "
                "checkerboard is not in ker(S2); the binomial blurs (and the 2x2 average of resize x0.5) annihilate it.")
        sections.append(Section(f"Kernels of downsampling ({r.size}x{r.size})", SamplingKernelsResult.KIND, text,
                                tables=[kern, big, board, inv], figures=[_basis_figure(r)]))
    return sections


def _examples_figure(r: SamplingEvalResult) -> Figure | None:
    """The first test image under each perturbation, and the worst-case deltas in ker(D) amplified."""
    images = [(row.name, r.examples[row.name]) for row in r.rows if row.name in r.examples]
    deltas = [(f"ker({w.operator})", r.examples[f"delta:{w.operator}"]) for w in r.worst_case
              if f"delta:{w.operator}" in r.examples]
    if not images:
        return None
    rows = [("", images, "image")] + ([("", deltas, "signed")] if deltas else [])
    return image_grid(f"A {r.data} test image under each perturbation, and the worst-case deltas in ker(D) found for "
                      f"{_name(r)} (amplified)", rows)


def _name(r: SamplingEvalResult) -> str:
    return r.label or r.arch or r.model


@section_for(SamplingEvalResult)
def eval_sections(results: list[SamplingEvalResult]) -> list[Section]:
    names = [row.name for row in results[0].rows]
    columns = ["perturbation"] + [f"{_name(r)} (%)" for r in results] + ["card base (%)", "card robust (%)"]
    rows = []
    for i, name in enumerate(names):
        first = results[0].rows[i]
        rows.append([first.label] + [f"{100 * r.accuracy(name):.2f} ({100 * (r.accuracy(name) - r.accuracy('clean')):+.2f})"
                                     if r.accuracy(name) is not None and r.accuracy("clean") is not None else None
                                     for r in results] + [first.paper_base, first.paper_robust])
    worst = [[_name(r), w.operator, w.eps, w.n, 100 * w.clean_accuracy, 100 * w.accuracy, w.max_downsampled_change,
              w.out_of_box_fraction] for r in results for w in r.worst_case]
    fig, ax = new_figure(8, 3.5)
    width = 0.8 / len(results)
    for j, r in enumerate(results):
        ax.bar(np.arange(len(names)) + j * width, [100 * (r.accuracy(n) or 0) for n in names], width, label=_name(r))
    ax.set_xticks(np.arange(len(names)) + 0.4 - width / 2, [results[0].rows[i].label for i in range(len(names))],
                  rotation=20, fontsize=7)
    ax.set_ylabel("accuracy (%)")
    ax.legend(fontsize=7)
    data = ", ".join(sorted({f"{r.data} ({r.split}, n={r.n})" for r in results}))
    return [Section("Perturbation suite (seed 004's table)", SamplingEvalResult.KIND,
                    f"Data: {data}; the card's figures are CIFAR-10. Cells: accuracy (change from clean).",
                    tables=[Table("Accuracy under each perturbation", columns, rows),
                            Table("Worst case within ker(D) (projected gradient ascent, ||delta||_inf <= eps)",
                                  ["model", "operator", "eps", "n", "clean (%)", "attacked (%)", "max |D(x+delta) - D(x)|",
                                   "pixels outside [0, 1]"], worst)],
                    figures=[Figure(f"Accuracy of each model under the card's perturbations on {data}", figure_png(fig))]
                    + [f for f in (_examples_figure(r) for r in results) if f is not None])]

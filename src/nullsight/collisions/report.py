"""Report sections for collisions (original / perturbation / collided thumbnails) and beta sweeps (Fig. 3 of seed 000)."""

from __future__ import annotations

import dataclasses

import numpy as np

from ..report import Figure, Section, Table, figure_png, image_grid, new_figure, section_for
from .fig5 import Fig5Result
from .result import CollisionResult, SweepResult


@section_for(CollisionResult)
def collision_sections(results: list[CollisionResult]) -> list[Section]:
    """A summary table over all collisions, then the three images of each."""
    columns = ["model", "method", "null dim", "beta", "exact", "max|Δ| fp32", "max rel Δ fp64", "first collision",
               "PSNR", "SSIM", "same top-1", "clipped exact", "PNG exact"]
    rows = [[r.model, r.method, r.null_dim, r.beta, r.exact, r.max_abs_diff, r.max_rel_diff_fp64,
             r.first_collision_layer, r.psnr, r.ssim, r.same_top1, r.robustness and r.robustness.clipped.exact,
             r.robustness and r.robustness.png8.exact] for r in results]
    sections = [Section("Exact feature collisions (Null-space search)", CollisionResult.KIND,
                        summary=("x̂ = x + P with P in the null space of the first linear operator (seed 000, "
                                 "Definition 4). **exact** only when an fp64 forward pass gives a relative output "
                                 "difference ≤ 1e-9. Clipped / PNG: the collision re-verified after clipping to "
                                 "[0, 1] and after 8-bit quantisation."),
                        tables=[Table("Collisions", columns, rows)])]
    for r in results:
        figures = [_triptych(r)] if r.preview is not None and r.preview.original is not None else []
        tables = []
        if r.interpretation is not None:
            figures.append(_attributions(r))
            tables.append(_interpretation_table(r))
        details = {"first_layer": dataclasses.asdict(r.first_layer), "null_space": dataclasses.asdict(r.null_space)}
        sections.append(Section(f"{r.model}: {r.method}", CollisionResult.KIND, summary=r.message, figures=figures,
                                tables=tables, details=details))
    return sections


@section_for(SweepResult)
def sweep_sections(results: list[SweepResult]) -> list[Section]:
    """PSNR and SSIM against beta, one line per model (Fig. 3)."""
    return [Section("Beta sweep (Fig. 3)", SweepResult.KIND,
                    summary="\n".join(f"- **{r.model}**: {r.message}" for r in results),
                    tables=[Table("Sweep", ["model", "beta", "PSNR", "SSIM", "exact fraction", "max rel Δ fp64",
                                            "out of [0,1]"],
                                  [[r.model, p.beta, p.psnr_mean, p.ssim_mean, p.exact_fraction, p.max_rel_diff_fp64,
                                    p.out_of_range_fraction] for r in results for p in r.points])],
                    figures=[sweep_figure(results)])]


def sweep_figure(results: list[SweepResult]) -> Figure:
    """PSNR (solid) and SSIM (dashed) against beta for each model."""
    fig, ax = new_figure(7.0, 3.8)
    ax2 = ax.twinx()
    for r in results:
        if not r.points:
            continue
        betas = [p.beta for p in r.points]
        ax.plot(betas, [p.psnr_mean for p in r.points], marker="o", label=f"{r.model} PSNR")
        ax2.plot(betas, [p.ssim_mean for p in r.points], marker="x", linestyle="--", label=f"{r.model} SSIM")
    ax.set_xscale("log")
    ax.set_xlabel("beta (L∞ of P, pixel units)")
    ax.set_ylabel("PSNR (dB)")
    ax2.set_ylabel("SSIM")
    ax.legend(loc="lower left", fontsize=7)
    ax2.legend(loc="upper right", fontsize=7)
    models = ", ".join(r.model for r in results)
    return Figure(f"PSNR and SSIM of exact collisions against beta ({models})", figure_png(fig),
                  caption="Outputs identical at every beta where 'exact fraction' is 1.")


def _triptych(r: CollisionResult) -> Figure:
    p = r.preview
    verdict = "an exact collision" if r.exact else "not an exact collision"
    return image_grid(f"{r.model}: original image, null-space perturbation and collided image ({verdict})",
                      [("", [("original", p.original), ("perturbation", p.perturbation), ("collided", p.collided)],
                        "image")],
                      caption=f"beta={r.beta}, exact={r.exact}, max rel Δ fp64={r.max_rel_diff_fp64}", cell=2.8)


def _interpretation_table(r: CollisionResult) -> Table:
    """Seed 000's interpretability remark, measured: which maps of x and x̂ agree (fp64, relative to max |map(x)|)."""
    i = r.interpretation
    rows = [[c.method, c.max_rel_diff, c.agree, c.control_max_rel_diff, c.predicted_diff_error] for c in i.comparisons]
    return Table(f"Attributions of x and x̂ ({i.library}; Grad-CAM at {i.layer}; IG {i.ig_steps} steps from {i.baseline})",
                 ["method", "rel Δ x vs x̂", "agree (≤1e-9)", "rel Δ x vs x+R (control)", "IG: |Δ − P⊙avg-grad| rel"], rows)


def _attributions(r: CollisionResult) -> Figure:
    """Saliency, Integrated Gradients and Grad-CAM of x and x̂ (one row per method, one scale per row), first image."""
    i = r.interpretation
    rows = [(label, [(f"{label} of x", i.maps.get(f"{key}_x")), (f"{label} of x̂", i.maps.get(f"{key}_x_hat"))],
             "signed") for key, label in (("saliency", "saliency"), ("ig", "IG"), ("grad_cam", "Grad-CAM"))]
    verdicts = ", ".join(f"{c.method}: {'agree' if c.agree else 'differ'}" for c in i.comparisons)
    return image_grid(f"{r.model}: saliency, Integrated Gradients and Grad-CAM of x and the collided x̂ ({verdicts})",
                      rows, caption="Saliency and Grad-CAM see W x only; IG multiplies by the input, so it differs by "
                                    "P ⊙ avg-grad.", cell=2.2)


@section_for(Fig5Result)
def fig5_sections(results: list[Fig5Result]) -> list[Section]:
    """Seed 000 Fig. 5: the difference every basis vector makes at every layer, fp32 and fp64."""
    sections = []
    for r in results:
        fig, ax = new_figure(8.0, 3.6)
        x = np.arange(len(r.layers))
        for values, label, style in ((r.max_abs_fp64, "max over vectors, fp64", "-"), (r.median_abs_fp64, "median, fp64", ":"),
                                     (r.max_abs_fp32, "max over vectors, fp32", "--")):
            ax.plot(x, np.maximum(values, 1e-300), style, marker=".", label=label)
        ax.axhline(r.paper_max, color="#999", linewidth=0.8, label=f"paper's Fig. 5 bound {r.paper_max:.1e}")
        ax.set_yscale("log")
        step = max(1, len(r.layers) // 12)
        ax.set_xticks(x[::step], [r.layers[i] for i in range(0, len(r.layers), step)], rotation=60, ha="right", fontsize=6)
        ax.set_ylabel("max |f_k(x̂) − f_k(x)|")
        ax.legend(fontsize=7)
        rows = [[name, a64, m64, a32] for name, a64, m64, a32 in zip(r.layers, r.max_abs_fp64, r.median_abs_fp64, r.max_abs_fp32)]
        sections.append(Section(f"{r.model}: numerical exactness per layer (Fig. 5)", Fig5Result.KIND,
                                f"{r.n_vectors} of {r.null_dim} basis vectors of the first operator's null space "
                                f"({r.method}), each as x̂ = x + {r.beta:g}·d_k.",
                                tables=[Table("Per layer", ["layer", "max fp64", "median fp64", "max fp32"], rows)],
                                figures=[Figure(f"{r.model}: difference at every layer for {r.n_vectors} basis vectors "
                                                "(fp64 and fp32)", figure_png(fig))]))
    return sections

"""Report sections for seed 001's steganography results."""

from __future__ import annotations

import numpy as np

from ..report import Figure, Section, Table, figure_png, image_grid, section_for
from ..report.figures import plt
from .result import (StegoConvResult, StegoEvalResult, StegoFig11Result, StegoFig1Result, StegoHideResult,
                     StegoRevealResult, StegoSeesResult)


def _grid(rows: list[tuple[str, object]], title: str, captions: list[str] | None = None,
          limit: int = 10) -> list[Figure]:
    """Rows of ``(label, (N, C, H, W) artifact)`` through the report's one picture helper (clipped to [0, 1])."""
    grid = []
    for r, (label, artifact) in enumerate(rows):
        if artifact is None:  # not saved (the JSON went to stdout)
            continue
        images = artifact.load()[:limit].float().clamp(0, 1)
        cells = [((captions[c] if captions and r == len(rows) - 1 and c < len(captions) else ""), image)
                 for c, image in enumerate(images)]
        grid.append((label, cells, "image"))
    return [image_grid(title, grid, cell=1.3)] if grid else []


@section_for(StegoEvalResult)
def eval_sections(results: list[StegoEvalResult]) -> list[Section]:
    sections = []
    for r in results:
        ex = r.examples
        figures = []
        if ex is not None:
            captions = [f"pred {p} ({c:.0%})" for p, c in zip(ex.prediction, ex.confidence)]
            figures += (_grid([("cover", ex.cover), ("hidden", ex.hidden), ("stego", ex.stego)],
                                 f"{r.cover_data} covers, {r.hidden_data} hidden images and the stego images made of them",
                                 captions))
        metrics = [["pairs", r.n], ["null dimension", r.null_dim], ["success (pred S = pred H)", r.success_rate],
                   ["pred S = label of H", r.success_vs_label], ["pred S = pred(0.2 H)", r.agrees_with_scaled_hidden],
                   ["max |logit(S) - logit(0.2 H)|", r.max_logit_diff_vs_scaled_hidden],
                   ["mean confidence", r.mean_confidence], ["mean alpha2", r.alpha2_mean],
                   ["PSNR to cover (dB)", r.psnr_to_cover_mean], ["SSIM to cover", r.ssim_to_cover_mean]]
        metrics += [[f"success after {name}", value] for name, value in r.robustness.items()]
        metrics.insert(0, ["protocol", f"{r.protocol} ({r.split} split)"])
        if r.paper_success_rate is not None:
            metrics.insert(4, ["paper's success (pred S = category of H)", r.paper_success_rate])
        if r.paper_protocol is not None:
            p = r.paper_protocol
            metrics += [["paper's filter: eligible / candidates", f"{p.eligible} / {p.candidates}"],
                        ["eligible per class", p.eligible_per_class], ["selected per class", p.selected_per_class],
                        ["mean confidence of eligible H / 0.2H", f"{p.confidence_original:.4f} / {p.confidence_rescaled:.4f}"]]
        title = f"Steganography: {r.cover_data} cover, {r.hidden_data} hidden"
        title += " (the paper's protocol)" if r.protocol == "paper" else ""
        sections.append(Section(title, StegoEvalResult.KIND,
                                f"S = {r.alpha1}·H_perp + alpha2·C_hat with the model `{r.model}`.",
                                tables=[Table("Over the test set", ["measure", "value"], metrics)], figures=figures))
    return sections


@section_for(StegoSeesResult)
def sees_sections(results: list[StegoSeesResult]) -> list[Section]:
    sections = []
    for r in results:
        ex = r.examples
        figures = _grid([("what we see", ex.original), ("what the NN sees", ex.seen)],
                       f"{r.data} images and their row-space projections: what the network sees")
        sections.append(Section(f"What the network sees ({r.data})", StegoSeesResult.KIND,
                                f"Predictions of x and of its row-space projection agree on {r.predictions_agree:.0%}; "
                                f"max logit difference {r.max_logit_diff:.2e} (fp32), {r.max_logit_diff_fp64:.2e} (fp64).",
                                figures=figures))
    return sections


@section_for(StegoConvResult)
def conv_sections(results: list[StegoConvResult]) -> list[Section]:
    sections = []
    for r in results:
        columns = ["filters", "input dim", "output dim", "null dim", "generic count max(in-out, 0)", "max abs conv(basis)", "max abs Δ forward"]
        rows = [[x.filters, x.input_dim, x.output_dim, x.null_dim, x.expected_generic, x.max_abs_conv_of_basis,
                 x.max_abs_diff_forward] for x in r.rows]
        sections.append(Section(f"First-convolution null space ({r.kernel}x{r.kernel}, {r.padding}, {r.size}x{r.size})",
                                StegoConvResult.KIND, f"Kernels: {r.source}. The layer's null space is the intersection of its "
                                "kernels' null spaces (App. B).", tables=[Table("Null dimension as filters are added", columns, rows)]))
    return sections


@section_for(StegoHideResult)
def hide_sections(results: list[StegoHideResult]) -> list[Section]:
    """One row per stego image made: what the network reads in it, against the hidden and the cover image."""
    columns = ["cover", "hidden", "alpha1", "alpha2", "in range", "read as", "confidence", "hidden read as", "cover read as",
               "agree", "stego image"]
    rows = [[r.cover, r.hidden, r.alpha1, r.alpha2, r.in_range, r.prediction, r.confidence, r.hidden_prediction,
             r.cover_prediction, r.agree, r.stego_png] for r in results]
    return [Section("Stego images made", StegoHideResult.KIND, "S = alpha1·H_perp + alpha2·C_hat (seed 001, Sec. 3).",
                    tables=[Table("Hidden and read back", columns, rows)])]


@section_for(StegoRevealResult)
def reveal_sections(results: list[StegoRevealResult]) -> list[Section]:
    """What the network reads in each stego image, and the size of its null-space and row-space parts."""
    columns = ["stego image", "model", "read as", "confidence", "row-space part read as", "|null part|", "|row part|"]
    rows = [[r.stego, r.model, r.prediction, r.confidence, r.row_space_prediction, r.null_part_norm, r.row_part_norm]
            for r in results]
    return [Section("Stego images read back", StegoRevealResult.KIND, "The network sees only the row-space part.",
                    tables=[Table("Readings", columns, rows)])]


@section_for(StegoFig1Result)
def fig1_sections(results: list[StegoFig1Result]) -> list[Section]:
    """Fig. 1: the surface of the (2, 1, 3, 1)-ReLU network with its contour plot beneath, the null direction drawn."""
    sections = []
    for r in results:
        xs = np.asarray(r.xs)
        gx, gy = np.meshgrid(xs, xs)
        z = np.asarray(r.values)
        fig = plt.figure(figsize=(6.4, 5.0))
        ax = fig.add_subplot(projection="3d")
        floor = float(z.min()) - 0.6 * (float(z.max() - z.min()) or 1.0)
        ax.plot_surface(gx, gy, z, cmap="viridis", linewidth=0, antialiased=True, alpha=0.9)
        ax.contour(gx, gy, z, levels=15, cmap="viridis", offset=floor)
        n = np.asarray(r.null_direction) * r.extent
        ax.plot([-n[0], n[0]], [-n[1], n[1]], [floor, floor], color="red", linewidth=2, label="Null(W1) direction")
        ax.set_zlim(floor, float(z.max()))
        ax.set_xlabel("x1"), ax.set_ylabel("x2"), ax.set_zlabel("f(x)")
        ax.legend(fontsize=7)
        figure = Figure(f"Output surface of a seeded (2, 1, 3, 1)-ReLU network with its contours beneath: constant "
                        f"along the null direction of W1 (seed {r.seed})", figure_png(fig),
                        caption=f"spread of f along null lines {r.spread_along_null:.1e}, along row lines "
                                f"{r.spread_along_row:.3g} (fp64)")
        rows = [["W1", r.w1], ["null direction", r.null_direction], ["max spread of f along Null(W1) lines (fp64)",
                r.spread_along_null], ["max spread of f along row-direction lines", r.spread_along_row],
                ["lines sampled", r.lines], ["grid", f"{len(r.xs)}² over [-{r.extent:g}, {r.extent:g}]²"]]
        sections.append(Section("The null space of a (2, 1, 3, 1)-ReLU network (seed 001, Fig. 1)", StegoFig1Result.KIND,
                                "f = A3 T3 σ A2 T2 σ A1 T1 with W1 of shape 1×2: Null(W1) is a line, and f is constant "
                                "along every line parallel to it (Example 1).",
                                tables=[Table("Flatness along the null direction", ["measure", "value"], rows)],
                                figures=[figure]))
    return sections


@section_for(StegoFig11Result)
def fig11_sections(results: list[StegoFig11Result]) -> list[Section]:
    """Fig. 11: the same images, and what each network sees of them."""
    sections = []
    for r in results:
        ex = r.examples
        rows = [("what we see", ex.original)] + [(f"model {i + 1} sees", seen) for i, seen in enumerate(ex.seen)]
        figures = _grid(rows, f"{r.data} images and what {len(r.models)} differently trained networks see of "
                                       "them (row-space projections)")
        table = Table("Per model", ["model", "null dim", "pred(x_perp) = pred(x)", "max |logit Δ| fp64"],
                      [[m, d, a, l] for m, d, a, l in zip(r.models, r.null_dims, r.predictions_agree, r.max_logit_diff_fp64)])
        sections.append(Section(f"Different networks see differently ({r.data}, seed 001, Fig. 11)", StegoFig11Result.KIND,
                                f"Mean ‖x_perp(model 1) − x_perp(model 2)‖ / ‖x‖ over {r.n} images: "
                                f"{r.relative_difference_mean:.3f}; each network predicts its own x_perp exactly as x.",
                                tables=[table], figures=figures))
    return sections

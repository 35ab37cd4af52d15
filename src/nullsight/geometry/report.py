"""Report sections for seed 002's feature-space geometry: tables beside the paper's figures, and its figures."""

from __future__ import annotations

import numpy as np

from ..artifacts import Artifact
from ..report import Figure, Section, Table, figure_png, image_grid, new_figure, section_for
from .result import DetectionResult, GeometryResult, InverseResult


def image_row(items: list[tuple[str, Artifact]], title: str) -> Figure:
    """One row of pictures with captions."""
    return image_grid(title, [("", list(items), "image")])


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def comparison_rows(r: GeometryResult) -> list[list[object]]:
    """``[measure, ours, paper]`` rows (seed 002, Sec. 7.2)."""
    p, a, u, s = r.paper, r.accuracy, r.union, r.support
    return [
        ["hull closer than the nearest boundary (d_h < d_f,min)", _pct(r.ambiguity.share_hull_closer), _pct(p.share_hull_closer)],
        ["test samples inside the union of training balls", _pct(u.share_test_in_union), _pct(p.share_test_in_union)],
        ["training balls containing another sample", _pct(u.share_train_balls_with_other), _pct(p.share_train_balls_with_other)],
        ["test balls containing another sample", _pct(u.share_test_balls_with_other), _pct(p.share_test_balls_with_other)],
        ["mean / largest count of samples per ball", f"{u.mean_count_per_ball:.1f} / {u.max_count_per_ball}",
         f"{p.mean_count_per_ball} / {p.max_count_per_ball}"],
        ["support images with the test label, feature space", _pct(s.feature.by_count), _pct(p.support_same_label_feature)],
        ["support images with the test label, pixel space", _pct(s.pixel and s.pixel.by_count), _pct(p.support_same_label_pixel)],
        ["accuracy, clean test images", _pct(a.get("clean")), f"> {_pct(p.accuracy_clean)}"],
        ["accuracy on hull projections, feature space", _pct(a.get("feature_hull")), p.accuracy_feature_hull],
        ["accuracy on hull projections, pixel space", _pct(a.get("pixel_hull")), _pct(p.accuracy_pixel_hull)],
        ["test samples outside the training hull (feature space)", _pct(r.ambiguity.share_outside_hull), "100%"],
        ["Lipschitz constant sigma_max(W) (Eq. 14)", f"{r.lipschitz:.3f}", p.lipschitz],
    ]


def _histograms(r: GeometryResult) -> Figure:
    fig, ax = new_figure(7, 3.2)
    d_f, d_h = (r.distances[k].load().double().numpy() if r.distances.get(k) else np.zeros(0) for k in ("d_f_min", "d_h"))
    bins = np.linspace(0, max(np.nanmax(d_f, initial=0.0), np.nanmax(d_h, initial=0.0)) * 1.02 or 1.0, 60)
    ax.hist(d_f, bins=bins, alpha=0.6, label="to the closest flip point, d_f,min (Eq. 12)")
    ax.hist(d_h, bins=bins, alpha=0.6, label="to the training hull, d_h (Eq. 25)")
    ax.set_xlabel("distance in feature space")
    ax.set_ylabel("test images")
    ax.legend(fontsize=8)
    title = f"Fig. 10 on {r.data}: distances of {r.n_test} test images in feature space"
    ax.set_title(title, fontsize=9)
    return Figure(title, figure_png(fig))


def _features_figure(r: GeometryResult) -> Figure:
    ex = r.examples
    f = np.asarray(ex.first_features)
    h = np.asarray(ex.first_hull_features)
    side = int(np.ceil(np.sqrt(len(f))))
    grid = lambda v: np.pad(v, (0, side * side - len(v))).reshape(side, side)  # noqa: E731
    return image_grid(f"First test image of {r.data}, its features and their projection on the training hull",
                      [("", [("x (Fig. 2a)", ex.first)], "image"),
                       ("features", [("x_phi (Fig. 2b)", grid(f)), ("x_phi^h (Fig. 5a)", grid(h)),
                                     ("|x_phi^h - x_phi| (Fig. 5b)", grid(np.abs(h - f)))], "values")], cell=1.8)


@section_for(GeometryResult)
def geometry_sections(results: list[GeometryResult]) -> list[Section]:
    sections = []
    for r in results:
        names = r.classes
        columns = ["image", "label", "class"] + names + ["d_f,min", "d_h", "train in B", "test in B"]
        rows = [[t.index, names[t.label] if 0 <= t.label < len(names) else t.label, names[t.predicted],
                 *["-" if m is None else round(m, 3) for m in t.margins], round(t.min_margin, 3),
                 round(t.hull_distance, 3), t.train_in_ball, t.test_in_ball] for t in r.table1]
        sv = r.solver
        solver_rows = [["hull: max duality gap (relative to d_h^2)", f"{sv.hull_max_gap:.2e} ({sv.hull_max_relative_gap:.1e})"],
                       ["hull: unconverged points / gap passes", f"{sv.hull_unconverged} / {sv.hull_rounds}"],
                       ["pixel hull: max gap / unconverged", f"{sv.pixel_hull_max_gap} / {sv.pixel_hull_unconverged}"],
                       ["flip points: max KKT residual", f"{sv.flip_max_kkt:.2e}"],
                       ["flip points: unconverged / empty flip regions", f"{sv.flip_unconverged} / {sv.flip_infeasible}"],
                       ["features", f"{r.n_features} at `{r.feature_layer}`; {r.nonneg_note}"],
                       ["timings (s)", ", ".join(f"{k} {v}" for k, v in r.timings.items())]]
        ex = r.examples
        figures = [_histograms(r), _features_figure(r),
                   image_row([(f"#{e.index}\nd_f {e.d_f_min:.2f} d_h {e.d_h:.2f}", e.image)
                              for e in ex.most_ambiguous], f"Fig. 13a on {r.data}: most ambiguous test images (d_f,min - d_h smallest)"),
                   image_row([(f"#{e.index}\nd_f {e.d_f_min:.2f} d_h {e.d_h:.2f}", e.image)
                              for e in ex.least_ambiguous], f"Fig. 13b on {r.data}: least ambiguous test images (d_f,min - d_h largest)"),
                   image_row([("x", ex.first)] + [(f"{names[e.label]} a={e.alpha:.2f}", e.image)
                                                  for e in ex.feature_support],
                             f"Fig. 6b on {r.data}: support images of the feature-space hull projection")]
        if ex.pixel_support is not None and ex.first_pixel_hull is not None:
            figures.append(image_row([("x", ex.first), ("x_h (Fig. 4b)", ex.first_pixel_hull)]
                                     + [(f"{names[e.label]} a={e.alpha:.2f}", e.image) for e in ex.pixel_support],
                                     f"Fig. 4 / 6a on {r.data}: pixel-space hull projection and its support images"))
        sections.append(Section(
            f"Feature-space geometry: {r.model} on {r.data}", GeometryResult.KIND,
            (f"Last hidden layer `{r.feature_layer}` ({r.n_features} features). {r.n_test} test images against the hull "
             f"of {r.n_train} training images in feature space; {r.n_pixel} test images against {r.n_pixel_train} "
             "training images in pixel space. The paper's figures are for CIFAR-10."),
            tables=[Table("Ours vs the paper (seed 002, Sec. 7.2)", ["measure", f"ours ({r.data})", "paper (CIFAR-10)"],
                          comparison_rows(r)),
                    Table("Table 1: margins d_f(i,j) to each class in feature space", columns, rows),
                    Table("Verification", ["check", "value"], solver_rows)],
            figures=figures))
    return sections


@section_for(DetectionResult)
def detection_sections(results: list[DetectionResult]) -> list[Section]:
    sections = []
    for r in results:
        rows = [[a.attack, a.eps if a.eps is not None else "minimal", a.steps, _pct(a.success_rate),
                 round(a.median_linf, 4) if a.median_linf is not None else "-", a.auc and round(a.auc, 4),
                 _pct(a.detection_rate), a.adversarial_margin_median and round(a.adversarial_margin_median, 4)]
                for a in r.attacks]
        fig, ax = new_figure(7, 3.2)
        clean = np.asarray(r.margins["clean"], dtype=float)
        top = max([clean.max()] + [max(v) for v in r.margins.values() if v])
        bins = np.linspace(0, top * 1.02, 60)
        for name, values in r.margins.items():
            ax.hist(values, bins=bins, alpha=0.5, label=name)
        ax.set_xlabel("d_f,min: distance to the closest decision boundary in feature space")
        ax.legend(fontsize=8)
        title = f"Margins of clean and adversarial {r.data} images"
        ax.set_title(title, fontsize=9)
        sections.append(Section(
            f"Adversarial detection by feature-space margins: {r.model} on {r.data}", DetectionResult.KIND,
            (f"{r.n} test images (clean accuracy {_pct(r.clean_accuracy)}); correctly classified ones attacked; "
             f"score -d_f,min; detection rate at {_pct(r.fpr)} false positives on the clean margins. The paper "
             "(CIFAR-10) separates every adversarial image with one threshold."),
            tables=[Table("Detection per attack", ["attack", "eps", "steps", "success", "median L-inf", "ROC AUC",
                                                    f"detected at {_pct(r.fpr)} FPR", "median adv. margin"], rows)],
            figures=[Figure(title, figure_png(fig))]))
    return sections


@section_for(InverseResult)
def inverse_sections(results: list[InverseResult]) -> list[Section]:
    sections = []
    for r in results:
        rows = [[m.radius, f"{m.residual:.2e}", round(m.pixel_distance, 3), m.predicted] for m in r.morph]
        figures = [image_row([(f"r={m.radius:.2f}", img) for m, img in zip(r.morph, r.images.morph)]
                             + [(f"b = #{r.index_b}", r.images.b)],
                             f"Fig. 8 on {r.data}: morphing image {r.index_a} into the feature-space ball of {r.index_b}")]
        fig, ax = new_figure(5, 3.5)
        ax.plot(r.path_2d["c1"], r.path_2d["c2"], "-", label="pixel-space straight line, mapped to features")
        ax.plot([0, r.distance_ab], [0, 0], "k--", label="direct line A-B in feature space")
        ax.legend(fontsize=7)
        title = f"Fig. 9 on {r.data}: two-point equidistant projection of a pixel-space path (App. A)"
        ax.set_title(title, fontsize=9)
        figures.append(Figure(title, figure_png(fig)))
        ft = r.flip_target
        if ft.image is not None:
            figures.append(image_row([("x", r.images.a), ("x -> flip point (Fig. 3c)", ft.image)],
                                     f"Fig. 3 on {r.data}: an image mapping onto the closest flip point"))
        sections.append(Section(
            f"Inverse mapping and morphing: {r.model} on {r.data}", InverseResult.KIND,
            ("Images closest to a reference image whose features lie in a ball (Eqs. 15-16) or on a point (Eqs. 17-18), "
             f"by a constrained optimiser in torch; the residual is ||N_phi(x) - target|| beyond the radius. "
             f"Flip-point target: residual {ft.residual if ft.residual is not None else float('nan'):.2e}, "
             f"predicted class {ft.predicted}."),
            tables=[Table("Morphing path (Fig. 8)", ["radius", "constraint residual", "||x - x_a||", "class"], rows)],
            figures=figures))
    return sections

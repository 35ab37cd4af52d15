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
        ["mean / largest count per ball, as a share of the pool (pool: other samples a ball can hold)",
         "{:.2%} / {:.2%} of {:,}".format(*u.shares(r.n_train, r.n_test)),
         f"{p.mean_count_per_ball / p.pool_size:.2%} / {p.max_count_per_ball / p.pool_size:.2%} of {p.pool_size:,}"],
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
        figures = [Figure(title, figure_png(fig))]
        tables = [Table("Detection per attack", ["attack", "eps", "steps", "success", "median L-inf", "ROC AUC",
                                                  f"detected at {_pct(r.fpr)} FPR", "median adv. margin"], rows)]
        b_rows = appendix_b_rows(r)
        if b_rows:
            tables.append(Table(f"App. B: adversarial inputs against the training hull of {r.n_train} images "
                                "(feature space)", APPENDIX_B_COLUMNS, b_rows))
            figures.append(_appendix_b_figure(r))
        sections.append(Section(
            f"Adversarial detection by feature-space margins: {r.model} on {r.data}", DetectionResult.KIND,
            (f"{r.n} test images (clean accuracy {_pct(r.clean_accuracy)}); correctly classified ones attacked; "
             f"score -d_f,min; detection rate at {_pct(r.fpr)} false positives on the clean margins. The paper "
             "(CIFAR-10) separates every adversarial image with one threshold."),
            tables=tables, figures=figures))
    return sections


APPENDIX_B_COLUMNS = ["attack", "n", "d_f,min < d_h (paper: 100%)", "median d_h clean -> adv.",
                      "median change of d_h [Wilcoxon p]", "moved towards the hull",
                      "adv. margin below every clean margin (paper: all)"]


def _share(s) -> str:  # noqa: ANN001
    return f"{_pct(s.value)} [{_pct(s.low)}, {_pct(s.high)}] ({s.k}/{s.n})"


def appendix_b_rows(r: DetectionResult) -> list[list[object]]:
    """One row per attack with App. B measured: the shares with their exact 95% intervals, the paired shift."""
    rows = []
    for a in r.attacks:
        b = a.appendix_b
        if b is None:
            continue
        t = b.towards_hull
        p = "-" if t.p is None else f"{t.p:.2g}"
        rows.append([_label(a), t.n, _share(b.boundary_closer), f"{t.median_before:.3f} -> {t.median_after:.3f}",
                     f"{t.median_difference:+.3f} [p = {p}]", _pct(t.share_decreased),
                     f"{_share(b.below_all_clean)}; smallest clean {b.min_clean_margin:.3g}"])
    return rows


def _label(a) -> str:  # noqa: ANN001
    from ..attacks import AttackSpec

    return AttackSpec(a.attack, a.eps).label


def _appendix_b_figure(r: DetectionResult) -> Figure:
    """d_h against d_f,min for the attacked images, before (clean) and after each attack; the diagonal d_f = d_h."""
    from .result import AdversarialPair

    fig, ax = new_figure(6, 4)
    top = 0.0
    for i, a in enumerate(x for x in r.attacks if x.appendix_b is not None):
        pairs = a.appendix_b.pairs.records(AdversarialPair)
        if i == 0:
            ax.scatter([p.d_h_clean for p in pairs], [p.d_f_clean for p in pairs], s=4, c="k", alpha=0.4,
                       label="clean (attacked images)")
        ax.scatter([p.d_h_adversarial for p in pairs], [p.d_f_adversarial for p in pairs], s=4, alpha=0.5,
                   label=_label(a))
        top = max([top] + [max(p.d_h_clean, p.d_h_adversarial, p.d_f_clean) for p in pairs])
    ax.plot([0, top], [0, top], "k--", lw=0.8, label="d_f,min = d_h")
    ax.set_xlabel("d_h: distance to the training hull (feature space)")
    ax.set_ylabel("d_f,min: distance to the closest boundary")
    ax.legend(fontsize=7)
    title = f"App. B on {r.data}: clean and adversarial images against the hull and the boundaries"
    ax.set_title(title, fontsize=9)
    return Figure(title, figure_png(fig))


@section_for(InverseResult)
def inverse_sections(results: list[InverseResult]) -> list[Section]:
    sections = []
    for r in results:
        b_name = f"{r.b_split} #{r.index_b}"
        rows = [[m.radius, f"{m.residual:.2e}", "-" if m.relative_residual is None else f"{m.relative_residual:.1e}",
                 round(m.pixel_distance, 3), m.predicted] for m in r.morph]
        figures = [image_row([(f"r={m.radius:.2f}", img) for m, img in zip(r.morph, r.images.morph)]
                             + [(f"x = test #{r.index_a}", r.images.a)],
                             f"Fig. 8 on {r.data}: {b_name} morphed into test image {r.index_a} by a shrinking "
                             "feature-space ball about x_phi")]
        fig, ax = new_figure(5, 3.5)
        ax.plot(r.path_2d["c1"], r.path_2d["c2"], "-", label="pixel-space straight line, mapped to features")
        ax.plot([0, r.distance_ab], [0, 0], "k--", label="direct line in feature space")
        ax.legend(fontsize=7)
        title = f"Fig. 9 on {r.data}: two-point equidistant projection of a pixel-space path (App. A)"
        ax.set_title(title, fontsize=9)
        figures.append(Figure(title, figure_png(fig)))
        ft = r.flip_target
        mapped_rows = []
        if ft.image is not None:
            figures.append(image_row([("x", r.images.a), (f"x -> flip point (Fig. 3c)\nclass {ft.predicted}", ft.image)]
                                     + ([(f"x -> x_h^phi (Fig. 5c)\nclass {r.hull_target.predicted}", r.hull_target.image)]
                                        if r.hull_target is not None else []),
                                     f"Figs. 3c / 5c on {r.data}: images mapping onto the closest flip point and onto "
                                     "the hull projection"))
            mapped_rows.append(["a onto its closest flip point (Fig. 3c)", round(ft.feature_distance or 0, 4), 0,
                                f"{ft.residual:.2e}", _rel(ft.relative_residual), round(ft.pixel_distance or 0, 3),
                                f"{ft.predicted} (boundary {ft.class_from}/{ft.class_to})"])
        for m in ([r.hull_target] if r.hull_target is not None else []) + list(r.perimeter):
            mapped_rows.append([m.role, round(m.target_distance, 4), round(m.radius, 4), f"{m.residual:.2e}",
                                _rel(m.relative_residual), round(m.pixel_distance, 3),
                                f"{m.predicted} (target {m.target_class})"])
        if r.perimeter:
            figures.append(image_grid(
                f"Fig. 7 on {r.data}: references and images on the perimeter of B(x_phi) (radius {r.radius_a:.3g})",
                [("", [("reference", m.reference), (f"on the perimeter\nclass {m.predicted}", m.image)], "image")
                 for m in r.perimeter if m.reference is not None]))
        tables = [Table("Morphing path (Fig. 8)", ["radius", "constraint residual", "relative", "||x - x_b||", "class"],
                        rows)]
        if mapped_rows:
            tables.append(Table("Images mapped onto feature-space targets (Eqs. 15-18)",
                                ["target", "||N_phi(x_r) - t||", "radius", "residual", "relative", "||x - x_r||",
                                 "class"], mapped_rows))
        sections.append(Section(
            f"Inverse mapping and morphing: {r.model} on {r.data}", InverseResult.KIND,
            ("Images closest to a reference whose features lie in a ball (Eqs. 15-16), on its perimeter (Fig. 7) or on "
             "a point (Eqs. 17-18), by continuation from the reference's own features with Levenberg-Marquardt "
             "corrections; the residual is ||N_phi(x) - t|| beyond the radius, relative to ||N_phi(x_r) - t||. The "
             "morph and the perimeters are feasible by construction (the straight pixel line from the reference to x "
             "crosses every radius); a flip point or a hull projection need not lie in N_phi([0, 1]^P) at all, and a "
             "residual that stays large there is the distance the solver found, not a proof that none is closer."),
            tables=tables, figures=figures))
    return sections


def _rel(value: float | None) -> str:
    return "-" if value is None else f"{value:.1e}"

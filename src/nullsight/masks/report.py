"""Report sections for seed 003's masks: Fig. 1-style examples, Tables 1, 3, 4, the Fig. 4 k-class trend,
class masks."""

from __future__ import annotations

from ..report import Figure, Section, Table, figure_png, image_grid, new_figure, section_for
from .result import ClassMasksResult, MaskCorrelationResult, MasksResult, RobustMasksResult, dash


def _fig1(r: MasksResult) -> Figure:
    ex = r.examples
    rows = [("clean", ex.clean, "image"), (ex.attack, ex.adversarial, "image"),
            ("clean * M_E", ex.essential_filtered, "stretch"), ("adv. * M_A", ex.adversarial_filtered, "stretch"),
            ("M_E (centred)", ex.essential_mask, "mask"), ("M_A (centred)", ex.adversarial_mask, "mask")]
    titles = [f"{a} -> {b}" for a, b in zip(ex.labels, ex.adversarial_labels)]
    grid = [(label, [(titles[j] if i == 0 else "", t.float().mean(0) if style == "mask" else t.float())
                     for j, t in enumerate(artifact.load())], style)
            for i, (label, artifact, style) in enumerate(rows) if artifact is not None]
    return image_grid(f"{r.data}: images, {ex.attack} adversarials, and both filtered by their masks (like the paper's "
                      "Fig. 1)", grid, "Filtered images contrast-stretched for display; masks are channel means, zero "
                                       "frequency at the centre.")


@section_for(MasksResult)
def masks_sections(results: list[MasksResult]) -> list[Section]:
    sections = []
    cols = ["set", "masks", "attack success", "masked keeps class", "mean mask density", "steps (mean)",
            "steps (min / median / p90 / max)", "at the cap"]
    for r in results:
        rows = [[s.name, s.n_masks, s.success_rate, s.keep_rate, s.mean_density, s.steps_mean, _steps(s),
                 None if s.at_cap is None else f"{s.at_cap} of {s.n_masks}"] for s in r.sets]
        figures = [_fig1(r)] if r.examples and r.examples.clean is not None else []
        sections.append(Section(f"Fourier masks: {r.data}, {r.model}", MasksResult.KIND,
                                f"{r.n_images} test images, clean accuracy {r.clean_accuracy:.3f}; lambda "
                                f"{r.config.lam}, Adam lr {r.config.lr}, at least {r.config.min_steps} and at most "
                                f"{r.config.max_steps} steps; a mask stops once its loss improved by less than "
                                f"{r.config.tol:g} (relative) over {r.config.patience} steps.",
                                tables=[Table("Mask sets", cols, rows)], figures=figures))
    return sections


def _steps(s) -> str | None:  # noqa: ANN001
    if s.steps_min is None:
        return None
    if s.steps_median is None:
        return f"{s.steps_min} / – / – / {s.steps_max}"
    return f"{s.steps_min} / {s.steps_median:.0f} / {s.steps_p90:.0f} / {s.steps_max}"


def _spread(value: float | None, null) -> str | None:  # noqa: ANN001
    if value is None:
        return None
    if null is None:
        return dash(value, ".3f")
    return f"{dash(value, '.3f')} (null {dash(null.mean, '.2f')} [{dash(null.low, '.2f')}, {dash(null.high, '.2f')}])"


def _twonn(d) -> str | None:  # noqa: ANN001
    if d is None:
        return None
    return (f"{dash(d.full, '.1f')} / {dash(d.half, '.1f')} ({'converged' if d.converged else 'not converged'}; "
            f"Gaussian {dash(d.gaussian, '.0f')})")


def _trend_figure(r: MaskCorrelationResult) -> Figure:
    fig, ax = new_figure(6.0, 3.6)
    p_ax = ax.twinx()
    for i, t in enumerate(r.trends):
        ks = [p.k for p in t.points]
        color = f"C{i}"
        label = t.attack if t.rho is None else f"{t.attack} (rho {t.rho:.2f}, p = {t.p_value:.2g})"
        ax.plot(ks, [p.idcor_mean for p in t.points], "-o", color=color, label=label)
        bars = [(p.k, p.idcor_mean, p.idcor_low, p.idcor_high) for p in t.points if p.idcor_low is not None]
        if bars:
            ax.errorbar([b[0] for b in bars], [b[1] for b in bars], yerr=[[b[1] - b[2] for b in bars],
                        [b[3] - b[1] for b in bars]], fmt="none", color=color, capsize=2)
        nulls = [p for p in t.points if p.null_high is not None]
        if nulls:
            ax.fill_between([p.k for p in nulls], [p.null_low for p in nulls], [p.null_high for p in nulls],
                            color=color, alpha=0.08)
        if any(p.control_mean is not None for p in t.points):
            ax.plot(ks, [p.control_mean for p in t.points], ":", color=color, alpha=0.8)
        p_ax.plot(ks, [p.p_value_mean for p in t.points], "--", color=color, alpha=0.5)
    ax.set_xlabel("k (classes in the subset)")
    ax.set_ylabel("mean IdCor (solid)")
    p_ax.set_ylabel("mean p-value (dashed)")
    ax.legend(fontsize=7)
    ax.set_title(f"{r.data}: IdCor of M_E vs M_A over random k-class subsets (Fig. 4)", fontsize=9)
    return Figure(f"{r.data}: mean IdCor (bars: 95% bootstrap over class subsets; band: shuffled-pair null; dotted: "
                  "random pairs of the same sizes) and mean p-value (dashed) against the number of classes k (Fig. 4)",
                  figure_png(fig))


@section_for(MaskCorrelationResult)
def correlation_sections(results: list[MaskCorrelationResult]) -> list[Section]:
    sections = []
    cols = ["attack", "pairs", "attack success", "SVCCA (shuffled null)", "cosine", "IdCor (shuffled null)",
            "p-value", "Id(M_E)", "Id(M_A)", "Id(joint)"]
    dim_cols = ["attack", "pairs", "M_E: N / N/2", "M_A: N / N/2", "joint: N / N/2", "joint, shuffled pairs"]
    for r in results:
        rows = [[c.attack, c.n_pairs, c.success_rate, _spread(c.svcca, c.svcca_null),
                 None if c.cosine_mean is None else f"{c.cosine_mean:.2f} ± {c.cosine_std:.2f}",
                 _spread(c.idcor, c.idcor_null), c.p_value, c.id_essential, c.id_adversarial, c.id_joint]
                for c in r.rows]
        dims = [[c.attack, c.n_pairs, _twonn(c.twonn_essential), _twonn(c.twonn_adversarial), _twonn(c.twonn_joint),
                 None if c.id_joint_null is None else
                 f"{dash(c.id_joint_null.mean, '.1f')} [{dash(c.id_joint_null.low, '.1f')}, "
                 f"{dash(c.id_joint_null.high, '.1f')}]"]
                for c in r.rows if c.twonn_joint is not None]
        trend = [[t.attack, t.rho, t.p_value, t.control_rho, t.control_p_value] for t in r.trends if t.rho is not None]
        extra = ([Table("TwoNN: is the intrinsic dimension converged? (N/2 within 10% of N; Gaussian: i.i.d. data "
                        "of the same N and dimension)", dim_cols, dims)] if dims else []) + \
                ([Table("Fig. 4 trend: Spearman rho of IdCor against k over every class subset, and for random pairs "
                        "of the same sizes (control)", ["attack", "rho", "p", "control rho", "control p"], trend)]
                 if trend else [])
        paper = [[k, v[0], f"{v[1]:.2f} ± {v[2]:.2f}", v[3], v[4]] for k, v in r.paper_table1.items()]
        sections.append(Section(f"Essential vs adversarial masks: {r.data}", MaskCorrelationResult.KIND,
                                f"Model {r.model}; IdCor p-values from {r.permutations} permutations.",
                                tables=[Table("Correlation (Tables 1 and 3)", cols, rows), *extra,
                                        Table("Paper, Table 1 (CIFAR-10, ResNet-20)",
                                              ["attack", "SVCCA", "cosine", "IdCor", "p-value"], paper)],
                                figures=[_trend_figure(r)] if r.trends else []))
    return sections


@section_for(ClassMasksResult)
def class_sections(results: list[ClassMasksResult]) -> list[Section]:
    sections = []
    for r in results:
        rows = [["no mask", r.accuracy_no_mask], ["mask of the true class", r.accuracy_true_class_mask],
                ["mask of the predicted class", r.accuracy_predicted_class_mask]]
        sections.append(Section(f"Class-level masks: {r.data}", ClassMasksResult.KIND,
                                f"{r.train_per_class} training images per class, lambda {r.lam}, {r.steps} steps; "
                                f"{r.test_n} unseen test images.", tables=[Table("Test accuracy", ["", "accuracy"], rows)],
                                figures=[image_grid(f"{r.data}: class-level essential masks (centred, channel mean)",
                                                    [("", [(str(c), m.float()) for c, m in enumerate(r.masks.load())],
                                                      "mask")], cell=1.3)] if r.masks is not None else []))
    return sections


@section_for(RobustMasksResult)
def robust_sections(results: list[RobustMasksResult]) -> list[Section]:
    sections = []
    for r in results:
        grid = [[row] + vals for row, vals in zip(r.rows, r.accuracy)]
        adaptive = [[f"{row} (adaptive)"] + vals for row, vals in zip(r.adaptive_rows, r.adaptive_accuracy)]
        paper = [[k] + r.paper_table4.row(k) for k in ("clean", "fmn", "pgd", "deepfool")]
        sections.append(Section(f"Robust essential masks: {r.data}", RobustMasksResult.KIND,
                                f"Columns: the attack the class masks were trained against (lambda {r.lam}, {r.steps} "
                                f"steps, {r.train_per_class} training images per class); {r.test_n} test images. "
                                "Adaptive rows attack the whole pipeline (predict, mask, predict).",
                                tables=[Table("Accuracy (Table 4)", ["data"] + r.columns, grid + adaptive),
                                        Table("Paper, Table 4 (CIFAR-10, ResNet-20)",
                                              ["data"] + r.paper_table4.columns, paper)]))
    return sections

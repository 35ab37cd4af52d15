"""README blocks for seed 002 (feature-space geometry), generated from results/geometry/*.json and
results/bench-geometry.json.

    python tools/readme_geometry.py          # prints every block

``BLOCKS`` maps a block name to a function returning its markdown; the lead's ``tools/readme_tables.py`` splices
them between ``<!-- BEGIN name -->`` markers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from readme_common import ROOT, load_json as _load, per_data_set, rel as _rel

from nullsight.formats import markdown_table

RESULTS = ROOT / "results" / "geometry"
DATASETS = ("fashion-mnist", "mnist")


def _pct(v: float | None) -> str:
    return "–" if v is None else f"{100 * v:.1f}%"


def _found(kind: str) -> list[tuple[str, Path, dict]]:
    return per_data_set(RESULTS, lambda data: f"{kind}-{data}.json", DATASETS)


def geometry_block() -> str:
    """Sec. 7.2's trends, ours (per data set) beside the paper's CIFAR-10 figures."""
    found = _found("analyze")
    if not found:
        return "_No results yet: run `make experiments-geometry`._\n"
    measures = [
        ("hull closer than the nearest decision boundary (d_h < d_f,min)", lambda r: _pct(r["ambiguity"]["share_hull_closer"]), "78.3%"),
        ("test samples inside the union of training balls B(x)", lambda r: _pct(r["union"]["share_test_in_union"]), "68%"),
        ("training balls containing another sample", lambda r: _pct(r["union"]["share_train_balls_with_other"]), "49.9%"),
        ("test balls containing another sample", lambda r: _pct(r["union"]["share_test_balls_with_other"]), "47%"),
        ("mean / largest count of samples in a ball", lambda r: f"{r['union']['mean_count_per_ball']:.0f} / {r['union']['max_count_per_ball']}", "297 / 4,791"),
        ("support images with the test image's label, feature space", lambda r: _pct(r["support"]["feature"]["by_count"]), "78%"),
        ("support images with the test image's label, pixel space", lambda r: _pct((r["support"]["pixel"] or {}).get("by_count")), "27%"),
        ("accuracy, clean", lambda r: _pct(r["accuracy"]["clean"]), "> 90%"),
        ("accuracy on hull projections, feature space", lambda r: _pct(r["accuracy"]["feature_hull"]), "unchanged"),
        ("accuracy on hull projections, pixel space", lambda r: _pct(r["accuracy"]["pixel_hull"]), "33%"),
        ("Lipschitz constant sigma_max(W_phi) (Eq. 14)", lambda r: f"{r['lipschitz']:.2f}", "6.122"),
    ]
    rows = [[name] + [fn(r) for _, _, r in found] + [paper] for name, fn, paper in measures]
    header = ["measure"] + [f"ours, {d} ResNet-20" for d, _, _ in found] + ["paper, CIFAR-10 ResNet-20"]
    sizes = "; ".join(f"{d}: {r['n_test']} test images vs the hull of {r['n_train']} training images in the "
                      f"{r['n_features']}-D last hidden layer, {r['n_pixel']} test images vs {r['n_pixel_train']} "
                      f"training images in pixel space (`{r['command']}`)" for d, _, r in found)
    solver = "; ".join(f"{d}: max duality gap {r['solver']['hull_max_gap']:.1e}, {r['solver']['hull_unconverged']} "
                       f"unconverged, flip-point KKT residual {r['solver']['flip_max_kkt']:.1e}" for d, _, r in found)
    return (f"Generated from {', '.join(_rel(p) for _, p, _ in found)}. {sizes}.\n\n" + markdown_table(header, rows)
            + f"\nVerification: {solver}.\n")


def table1_block() -> str:
    """Table 1: margins of the first test image to every class."""
    found = _found("analyze")
    parts = []
    for data, path, r in found:
        row = r["table1"][0]
        names = r["classes"]
        cells = ["–" if m is None else f"{m:.3f}" for m in row["margins"]]
        parts.append(f"{data}, first test image ({names[row['label']]}, classified {names[row['predicted']]}): "
                     f"closest boundary {names[row['min_class']]} at {row['min_margin']:.3f}, hull at "
                     f"{row['hull_distance']:.3f}; {row['train_in_ball']} training and {row['test_in_ball']} test "
                     f"images inside B(x) ({_rel(path)}).\n\n" + markdown_table(names, [cells]))
    parts.append("Paper (CIFAR-10, first test image, a cat): 3.498 3.266 2.546 – 3.087 2.629 2.711 3.805 3.494 3.849; "
                 "hull at 0.508; 437 training and 69 test images inside B(x).\n")
    return "\n".join(parts)


def detection_block() -> str:
    """Adversarial detection by the feature-space margin, per attack."""
    found = _found("detect")
    if not found:
        return "_No detection results yet._\n"
    rows = []
    for data, _, r in found:
        for a in r["attacks"]:
            rows.append([data, a["attack"], "minimal" if a["eps"] is None else a["eps"], a["steps"], _pct(a["success_rate"]),
                         f"{a['auc']:.3f}", _pct(a["detection_rate"]), f"{a['adversarial_margin_median']:.3f}",
                         f"{a['clean_margin_median']:.3f}"])
    sizes = "; ".join(f"{d}: {r['n']} test images (`{r['command']}`)" for d, _, r in found)
    return (f"Generated from {', '.join(_rel(p) for _, p, _ in found)}. {sizes}. Score: -d_f,min; the paper "
            "(CIFAR-10, DeepFool and PGD) separates all adversarial images with one threshold.\n\n"
            + markdown_table(["data", "attack", "eps", "steps", "success", "ROC AUC", "detected at 5% FPR",
                              "median adv. margin", "median clean margin"], rows))


def bench_block() -> str:
    """The batched hull projection against one OSQP problem per point, and at full scale."""
    parts = []
    osqp_path = ROOT / "results" / "bench-geometry-osqp.json"
    o = _load(osqp_path)
    if o is not None:
        rows = [[f"{o['n_test']} test points onto the hull of {o['n_train']} training points ({o['features']}-D)",
                 f"{o['batched_s']} s ({o['batched_per_point_ms']} ms per point)", f"{o['osqp_per_point_s']} s",
                 f"{o['speedup']:,.0f}x", f"{o['ours_max_gap_same_points']:.1e}", f"{o['osqp_max_gap']:.1e}",
                 ", ".join(o["osqp_statuses"])]]
        parts.append(f"Generated from {_rel(osqp_path)} (`{o['command']}`, written to a temporary folder and copied), "
                     f"{o['threads']} CPU thread on a shared machine, features of a development ResNet-20 on {o['data']}. "
                     "The duality gap certifies both solvers' points (an upper bound on the error of d_h^2 / 2); OSQP "
                     "(qpsolvers, eps 1e-6 with polishing) solved the first points one by one.\n\n"
                     + markdown_table(["what", "batched", "OSQP per point", "speed-up", "our max gap", "OSQP max gap",
                                       "OSQP status"], rows))
    path = ROOT / "results" / "bench-geometry.json"
    b = _load(path)
    if b is not None:
        rows = [[f"{b['n_test']} test points onto the hull of {b['n_train']} training points ({b['features']}-D)",
                 b["batched_s"], f"{b['batched_per_point_ms']} ms", b["rounds"], b["unconverged"], f"{b['max_gap']:.1e}",
                 f"{b['mean_support']:.1f}", f"{b['flip_problems']} in {b['flip_points_s']} s"]]
        parts.append(f"Generated from {_rel(path)} (`{b['command']}`), {b['threads']} CPU thread, features of "
                     f"`{b['model']}` on {b['data']} (extraction {b['features_s']} s, not counted).\n\n"
                     + markdown_table(["what", "batched (s)", "per point", "gap passes", "unconverged", "max gap",
                                       "mean support", "flip-point QPs"], rows))
    return "\n".join(parts) if parts else "_No benchmark yet: run `python benchmarks/geometry.py`._\n"


BLOCKS: dict[str, Callable[[], str]] = {
    "geometry": geometry_block,
    "geometry-table1": table1_block,
    "geometry-detection": detection_block,
    "geometry-bench": bench_block,
}


if __name__ == "__main__":
    for name, block in BLOCKS.items():
        print(f"<!-- BEGIN {name} -->\n{block()}<!-- END {name} -->\n")

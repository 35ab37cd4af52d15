"""README blocks for seed 004 (NULA), generated from results/nula/*.json and results/bench-nula.json.

    python tools/readme_nula.py          # prints every block

``BLOCKS`` maps a block name to a function returning its markdown; the lead's
``tools/readme_tables.py`` splices them between ``<!-- BEGIN name -->`` markers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from readme_common import ROOT, load_json as _load, rel as _rel

from nullsight.formats import markdown_table

RESULTS = ROOT / "results" / "nula"
EVALS = (("base", "eval-base.json"), ("robust", "eval-robust.json"),
         ("robust, no BlurPool (strided)", "eval-robust-strided.json"), ("robust, no SE", "eval-robust-nose.json"))


def _train_note(name: str) -> str:
    train = _load(RESULTS / f"train-{name}.json")
    if train is None:
        return ""
    c = train["config"]
    return (f"`{train['arch']}` on {train['data']} (32x32x3), {c['epochs']} epochs, batch {c['batch_size']}, "
            f"{c['optimizer']} lr {c['lr']}, augment `{c['augment']}`")


def perturbation_table() -> str:
    found = [(label, RESULTS / f, _load(RESULTS / f)) for label, f in EVALS]
    found = [(label, p, d) for label, p, d in found if d is not None]
    if not found:
        return "_No NULA evaluations yet: run `make experiments-nula`._\n"
    names = [r["name"] for r in found[0][2]["rows"]]
    header = ["perturbation"] + [f"{label} (ours)" for label, _, _ in found] + ["card base", "card robust"]
    rows = []
    for i, name in enumerate(names):
        first = found[0][2]["rows"][i]
        cells = []
        for _, _, d in found:
            row = next(r for r in d["rows"] if r["name"] == name)
            cells.append(f"{100 * row['accuracy']:.2f}" + ("" if name == "clean" else f" ({100 * row['delta_from_clean']:+.2f})"))
        rows.append([first["label"]] + cells + [f"{first['paper_base']:.2f}", f"{first['paper_robust']:.2f}"])
    d0 = found[0][2]
    text = (f"Ours: {d0['data']} {d0['split']} set ({d0['n']} images) at 32x32x3, accuracy % (change from clean); "
            f"the card's figures are CIFAR-10 at full width. Sources: {', '.join(_rel(p) for _, p, _ in found)}.\n\n")
    text += markdown_table(header, rows)
    notes = [f"- {label}: {_train_note(f.split('eval-')[1][:-5])}" for label, f in EVALS if (RESULTS / f).is_file()]
    worst = [[label, w["operator"], w["eps"], w["n"], f"{100 * w['clean_accuracy']:.1f}", f"{100 * w['accuracy']:.1f}",
              f"{w['max_downsampled_change']:.1e}"] for label, _, d in found for w in d["worst_case"]]
    text += "\nModels:\n" + "\n".join(n for n in notes if not n.endswith(": ")) + "\n"
    if worst:
        text += ("\nWorst case within ker(D) (projected gradient ascent, `||delta||_inf <= eps`, the downsampled image "
                 "unchanged to the measured max |D(x+delta) - D(x)|):\n\n")
        text += markdown_table(["model", "operator D", "eps", "n", "clean %", "attacked %", "max abs D change"], worst)
    return text


def kernels_table() -> str:
    path = RESULTS / "kernels.json"
    d = _load(path)
    if d is None:
        return "_No kernels result yet: run `make experiments-nula`._\n"
    rows = [[o["name"], o["n"], o["m"], o["rank"], o["nullity"], o["bound"], o["dense_nullity"], f"{o['projector_max_diff']:.1e}"]
            for o in d["operators"]]
    text = f"Generated from {_rel(path)} (`{d['command']}`).\n\n"
    text += markdown_table(["operator", "n", "m", "rank", "dim ker (matrix-free)", "bound n - m", "dim ker (dense SVD)",
                            "max abs projector difference"], rows)
    boards = [[c["operator"], c["eps"], f"{c['response_norm']:.4f}", f"{c['response_mean']:.4f}",
               f"{c['deviation_from_constant']:.1e}", c["in_kernel"]] for c in d["checkerboard"] if c["eps"] == 0.05]
    text += "\nThe checkerboard `0.05 (-1)^(i+j)` through each operator (one 32x32 channel):\n\n"
    text += markdown_table(["operator", "eps", "norm of D delta", "DC value", "deviation from constant", "delta in ker(D)"], boards)
    inv = [[c["operator"], f"{c['max_kernel_residual_fp64']:.1e}", f"{c['relative_change_fp32']:.1e}",
            f"{c['relative_change_fp64']:.1e}", f"{c['max_logit_change_without_d']:.2e}"] for c in d["invariance"]]
    text += f"\n`f = g o U o D` with `g` = `{d['network']}` under delta in ker(D), `||delta||_inf = 0.1`:\n\n"
    text += markdown_table(["operator", "max abs D change", "relative logit change fp32", "fp64", "max logit change of g alone"], inv)
    return text


def bench_table() -> str:
    path = ROOT / "results" / "bench-nula.json"
    d = _load(path)
    if d is None:
        return "_No benchmark yet: run `python benchmarks/nula.py`._\n"
    rows = [[k, f"{v:.1f}"] for k, v in d["train_images_per_s"].items()]
    rows += [[f"DDP {k} (experiment width)", f"{v:.1f}"] for k, v in d["ddp_images_per_s"].items()]
    text = f"Generated from {_rel(path)} (`{d['command']}`), {d['threads']} thread per process, shared CPU.\n\n"
    text += markdown_table(["training, images/s", "value"], rows)
    text += "\n" + markdown_table(["ratio", "value"], [[k, f"{v:.2f}"] for k, v in d["ratios"].items()])
    return text


def extra_table() -> str:
    found = [(label, RESULTS / f"extra-{label}.json") for label in ("base", "robust")]
    found = [(label, p, _load(p)) for label, p in found if p.is_file()]
    if not found:
        return "_No extra perturbations yet: run `make experiments-nula`._\n"
    names = [r["name"] for r in found[0][2]["rows"]]
    rows = [[found[0][2]["rows"][i]["label"]] + [f"{100 * d['rows'][i]['accuracy']:.2f}" for _, _, d in found]
            for i in range(len(names))]
    text = (f"Beyond the card's table, same models and test set: the anti-aliased operators, and stronger "
            f"checkerboards (unclipped). Sources: {', '.join(_rel(p) for _, p, _ in found)}.\n\n")
    return text + markdown_table(["perturbation"] + [f"{label} (ours) %" for label, _, _ in found], rows)


BLOCKS: dict[str, Callable[[], str]] = {"nula-perturbations": perturbation_table, "nula-extra": extra_table,
                                        "nula-kernels": kernels_table, "nula-bench": bench_table}

if __name__ == "__main__":
    for name, block in BLOCKS.items():
        print(f"<!-- BEGIN {name} -->\n{block()}<!-- END {name} -->\n")

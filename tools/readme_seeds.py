"""README blocks for issue #11's items on seeds 000 and 001 (colliding interpretations, Figs. 1 and 11, the paper's
steganography protocol, stego through a convolution), generated from results/ JSON.

    python tools/readme_seeds.py          # prints every block

``BLOCKS`` maps a block name to a function returning its markdown; the lead's ``tools/readme_tables.py`` splices
them between ``<!-- BEGIN name -->`` markers.  A block whose result is missing says so (and which command makes it).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from nullsight.formats import markdown_table  # noqa: E402
from readme_common import missing as _missing  # noqa: E402

RESULTS = ROOT / "results"


def _load(rel: str) -> dict | None:
    path = RESULTS / rel
    return json.loads(path.read_text()) if path.is_file() else None


def _pct(v: float | None, digits: int = 1) -> str:
    return "–" if v is None else f"{100 * v:.{digits}f}%"


def _cmd(r: dict) -> str:
    return f"`{r.get('command')}`"


INTERPRET_FILES = ("collisions/deit-tiny-interpret.json", "collisions/cnn-stego-mnist-interpret.json")


def interpret_block() -> str:
    """Seed 000's interpretability remark, measured: which attribution maps of x and x_hat agree."""
    found = [(rel, r) for rel in INTERPRET_FILES if (r := _load(rel)) is not None and r.get("interpretation")]
    if not found:
        return _missing(INTERPRET_FILES[0], "experiments-collisions")
    rows = []
    for rel, r in found:
        i = r["interpretation"]
        for c in i["comparisons"]:
            rows.append([f"`{r['model'].rsplit('/', 1)[-1]}` ({r['n_images']} × {r['data']}, {r['method']}, max rel. output "
                         f"Δ {r['max_rel_diff_fp64']:.0e})", c["method"] + (f" at {i['layer']}" if c["method"] == "grad_cam" else ""),
                         f"{c['max_rel_diff']:.1e}", "yes" if c["agree"] else "**no**", f"{c['control_max_rel_diff']:.2f}",
                         "–" if c.get("predicted_diff_error") is None else f"{c['predicted_diff_error']:.1e}"])
    commands = "; ".join(f"`results/{rel}`: {_cmd(r)}" for rel, r in found)
    return ("Attribution maps of x and of its exact collision x̂ by captum (fp64, pixel space, the class predicted at "
            f"x). {commands}.\n\n"
            + markdown_table(["model", "map", "rel. Δ x vs x̂", "agree (≤ 1e-9)", "rel. Δ x vs x + R (random, same L∞)",
                              "IG: rel. max abs(Δ − P ⊙ avg-grad)"], rows)
            + "\nSaliency (W^T g(Wx)) and Grad-CAM at the first operator agree to round-off; Integrated Gradients from "
              "a zero baseline multiplies by the input and differs, by P ⊙ avg-grad exactly on smooth networks (DeiT). "
              "On the max-pooling CNN round-off-level feature differences break max-pool ties differently at some "
              "points of the IG path, so even the path gradients differ there (docs/seeds-000-001.md).\n")


def fig1_block() -> str:
    rel = "stego/fig1.json"
    r = _load(rel)
    if r is None:
        return _missing(rel, "experiments-stego")
    return (f"A seeded (2, 1, 3, 1)-ReLU network (the paper's weights are not given) on [-{r['extent']:g}, "
            f"{r['extent']:g}]²: the largest spread of f along {r['lines']} lines parallel to Null(W1) is "
            f"**{r['spread_along_null']:.1e}** (fp64), against {r['spread_along_row']:.3g} along the row direction; "
            f"the report draws the surface with its contours beneath, as the paper's Fig. 1 "
            f"(`results/{rel}`, {_cmd(r)}).\n")


def fig11_block() -> str:
    rel = "stego/fig11.json"
    r = _load(rel)
    if r is None:
        return _missing(rel, "experiments-stego")
    rows = [[m, d, _pct(a), f"{l:.1e}"] for m, d, a, l in
            zip(r["models"], r["null_dims"], r["predictions_agree"], r["max_logit_diff_fp64"])]
    return (f"{r['n']} {r['data']} test images seen by two (784, 32, 16, 10) MLPs trained differently "
            f"(`results/{rel}`, {_cmd(r)}): what they see differs by **{r['relative_difference_mean']:.2f}** "
            "(mean ‖x⊥(A) − x⊥(B)‖ / ‖x‖) while each predicts its own x⊥ exactly as x (paper: Fig. 11, shown "
            "qualitatively).\n\n" + markdown_table(["model", "null dim", "pred(x⊥) = pred(x)", "max abs logit Δ, fp64"], rows))


def protocol_block() -> str:
    """The paper's protocol (filtered training images, success = hidden image's category) beside ours."""
    rows = []
    paper = _load("stego/eval-paper-mnist-mnist.json")
    ours = _load("stego/eval-mnist-mnist.json")
    if paper is not None:
        p = paper["paper_protocol"]
        rows.append(["paper's: training images with H and 0.2H correct, " f"{p['per_class']:,} per class",
                     f"{paper['n']:,}", "pred(S) = category of H", _pct(paper["paper_success_rate"], 2),
                     _pct(paper["success_rate"], 2), f"`{paper['model']}`"])
    if ours is not None:
        rows.append(["ours: unfiltered test split", f"{ours['n']:,}", "pred(S) = pred(H)", _pct(ours.get("success_vs_label"), 2),
                     _pct(ours["success_rate"], 2), f"`{ours['model']}`"])
    if not rows:
        return _missing("stego/eval-paper-mnist-mnist.json", "experiments-stego")
    if paper is not None and ours is not None and paper["model"] != ours["model"]:
        rows = [row[:-1] + [row[-1] + " (the rows use different models)"] for row in rows]
    text = ("MNIST covers and hidden images, S = 0.2·H⊥ + α2·Ĉ. The paper reports its stego images classified as the "
            "hidden category on its filtered set (Sec. 4) without a rate over a test split.\n\n"
            + markdown_table(["protocol", "pairs", "success defined as", "pred(S) = category of H",
                              "pred(S) = pred(H)", "model"], rows))
    if paper is not None:
        p = paper["paper_protocol"]
        text += (f"\nThe paper's filter kept {p['eligible']:,} of {p['candidates']:,} training images (per class "
                 f"{p['eligible_per_class']}); mean confidence on them {_pct(p['confidence_original'], 2)} (H) and "
                 f"{_pct(p['confidence_rescaled'], 2)} (0.2H); paper: 99.98% / 99.77%. ({paper['command']})\n")
    bench = _load("bench-stego-protocol.json")
    if bench is not None:
        text += (f"\nBatched, the whole protocol over {bench['pairs']:,} pairs took {bench['batched_s']} s "
                 f"({bench['batched_per_pair_ms']} ms a pair) against {bench['one_by_one_per_pair_ms']} ms a pair one "
                 f"at a time ({bench['one_by_one_pairs_timed']} timed; {bench['one_by_one_extrapolated_s']} s "
                 f"extrapolated): ×{bench['batched_speedup']}, {bench['threads']} CPU thread(s) (`{bench['command']}`).\n")
    return text


def cnn_block() -> str:
    """Hide and reveal through a valid 3x3 convolution."""
    rel = "stego/eval-cnn-stego-mnist-mnist.json"
    r = _load(rel)
    if r is None:
        return _missing(rel, "experiments-stego")
    train = _load("stego/train-cnn-stego-mnist.json")
    acc = ""
    if train is not None:
        m = train["metrics"]
        acc = (f" (trained here with 0.2x copies: test accuracy {_pct(m['test_original']['accuracy'])} original, "
               f"{_pct(m['test_rescaled']['accuracy'])} at 0.2x)")
    rows = [["null dim of the first operator", r["null_dim"], "108 (one 3x3 kernel on 28x28, App. B)"],
            ["pred(S) = pred(H)", _pct(r["success_rate"]), "–"],
            ["pred(S) = category of H", _pct(r["success_vs_label"]), "–"],
            ["pred(S) = pred(0.2H)", _pct(r["agrees_with_scaled_hidden"]), "100% by construction"],
            ["max abs(logit(S) − logit(0.2H))", f"{r['max_logit_diff_vs_scaled_hidden']:.1e}", "fp32 round-off"],
            ["PSNR of S to the cover", f"{r['psnr_to_cover_mean']:.1f} dB", "–"]]
    return (f"`nullsight:cnn-stego`{acc}; {r['n']:,} MNIST pairs (`results/{rel}`, {_cmd(r)}).\n\n"
            + markdown_table(["measure", "ours", "expected"], rows))


BLOCKS: dict[str, Callable[[], str]] = {
    "seeds-interpret": interpret_block,
    "seeds-fig1": fig1_block,
    "seeds-fig11": fig11_block,
    "seeds-protocol": protocol_block,
    "seeds-cnn-stego": cnn_block,
}


if __name__ == "__main__":
    for name, block in BLOCKS.items():
        print(f"<!-- BEGIN {name} -->\n{block()}<!-- END {name} -->\n")

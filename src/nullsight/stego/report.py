"""Report sections for training runs and seed 001's steganography results."""

from __future__ import annotations

import numpy as np

from ..report import SECTION_BUILDERS, Figure, Section, Table, figure_png
from ..report.figures import plt


def _image(flat: list[float], shape: list[int]) -> np.ndarray:
    array = np.asarray(flat, dtype=np.float64).reshape(shape)
    return array[0] if shape[0] == 1 else np.transpose(array, (1, 2, 0))


def _grid(rows: list[tuple[str, list[list[float]]]], shape: list[int], title: str, captions: list[str] | None = None) -> Figure:
    n = len(rows[0][1])
    fig, axes = plt.subplots(len(rows), n, figsize=(1.3 * n, 1.4 * len(rows)), squeeze=False)
    for r, (label, images) in enumerate(rows):
        for c, flat in enumerate(images):
            ax = axes[r][c]
            ax.imshow(_image(flat, shape), cmap="gray", vmin=0, vmax=1)
            ax.set_xticks([]), ax.set_yticks([])
            if c == 0:
                ax.set_ylabel(label, fontsize=8)
            if captions and r == len(rows) - 1:
                ax.set_xlabel(captions[c], fontsize=7)
    return Figure(title, figure_png(fig))


@SECTION_BUILDERS.register("train")
def train_sections(results: list[dict]) -> list[Section]:
    columns = ["arch", "data", "epochs", "train acc.", "train acc. (rescaled)", "test acc.", "test acc. (rescaled)",
               "paper train acc.", "paper train acc. (rescaled)"]
    rows = []
    for r in results:
        m, paper = r["metrics"], r.get("paper") or {}
        rows.append([r["arch"], r["data"], r["config"]["epochs"], m["train_original"]["accuracy"], m["train_rescaled"]["accuracy"],
                     m["test_original"]["accuracy"], m["test_rescaled"]["accuracy"],
                     paper.get("train_accuracy_original"), paper.get("train_accuracy_rescaled")])
    return [Section("Training runs", "train", "Accuracy on the original images and on copies rescaled by the factor "
                    "seed 001 trains with (0.2).", tables=[Table("Accuracy", columns, rows)])]


@SECTION_BUILDERS.register("stego-eval")
def eval_sections(results: list[dict]) -> list[Section]:
    sections = []
    for r in results:
        ex = r["examples"]
        captions = [f"pred {p} ({c:.0%})" for p, c in zip(ex["prediction"], ex["confidence"])]
        figure = _grid([("cover", ex["cover"]), ("hidden", ex["hidden"]), ("stego", ex["stego"])], ex["shape"],
                       f"{r['cover_data']} covers, {r['hidden_data']} hidden", captions)
        metrics = [["pairs", r["n"]], ["null dimension", r["null_dim"]], ["success (pred S = pred H)", r["success_rate"]],
                   ["pred S = label of H", r["success_vs_label"]], ["pred S = pred(0.2 H)", r["agrees_with_scaled_hidden"]],
                   ["max |logit(S) - logit(0.2 H)|", r["max_logit_diff_vs_scaled_hidden"]],
                   ["mean confidence", r["mean_confidence"]], ["mean alpha2", r["alpha2_mean"]],
                   ["PSNR to cover (dB)", r["psnr_to_cover_mean"]], ["SSIM to cover", r["ssim_to_cover_mean"]]]
        metrics += [[f"success after {name}", value] for name, value in r["robustness"].items()]
        sections.append(Section(f"Steganography: {r['cover_data']} cover, {r['hidden_data']} hidden", "stego-eval",
                                f"S = {r['alpha1']}·H_perp + alpha2·C_hat with the model `{r['model']}`.",
                                tables=[Table("Over the test set", ["measure", "value"], metrics)], figures=[figure]))
    return sections


@SECTION_BUILDERS.register("stego-sees")
def sees_sections(results: list[dict]) -> list[Section]:
    sections = []
    for r in results:
        ex = r["examples"]
        figure = _grid([("what we see", ex["original"][:10]), ("what the NN sees", [np.clip(i, 0, 1).tolist() for i in ex["seen"][:10]])],
                       ex["shape"], f"{r['data']}: row-space projections")
        sections.append(Section(f"What the network sees ({r['data']})", "stego-sees",
                                f"Predictions of x and of its row-space projection agree on {r['predictions_agree']:.0%}; "
                                f"max logit difference {r['max_logit_diff']:.2e} (fp32), {r['max_logit_diff_fp64']:.2e} (fp64).",
                                figures=[figure]))
    return sections


@SECTION_BUILDERS.register("stego-conv")
def conv_sections(results: list[dict]) -> list[Section]:
    sections = []
    for r in results:
        columns = ["filters", "input dim", "output dim", "null dim", "generic count max(in-out, 0)", "max abs conv(basis)", "max abs Δ forward"]
        rows = [[x["filters"], x["input_dim"], x["output_dim"], x["null_dim"], x["expected_generic"],
                 x["max_abs_conv_of_basis"], x["max_abs_diff_forward"]] for x in r["rows"]]
        sections.append(Section(f"First-convolution null space ({r['kernel']}x{r['kernel']}, {r['padding']}, {r['size']}x{r['size']})",
                                "stego-conv", f"Kernels: {r['source']}. The layer's null space is the intersection of its "
                                "kernels' null spaces (App. B).", tables=[Table("Null dimension as filters are added", columns, rows)]))
    return sections

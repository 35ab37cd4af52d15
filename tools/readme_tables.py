"""The generated tables of the docs (and of the README, where it keeps any) from the JSON files under results/.

Tables are never typed by hand: a page says ``<!-- nullsight:table NAME -->`` and the docs build
(``docs/hooks.py``) puts ``blocks()[NAME]()`` there; ``python tools/readme_tables.py`` (``make readme``) refreshes
the README's ``<!-- BEGIN name -->`` ... ``<!-- END name -->`` blocks from the same functions.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Callable

from nullsight.audit.table2 import markdown as table2_markdown
from nullsight.formats import markdown_table
from nullsight.errors import NullsightError
from nullsight.io import write_text
from nullsight.results import result_from_dict

ROOT = Path(__file__).resolve().parents[1]


def table2_block(path: Path) -> str:
    data = result_from_dict(json.loads(path.read_text()))
    notes = [f"- **{row.model}**: " + "; ".join(row.explanation) for row in data.rows if row.explanation]
    return (f"Generated from `{path.relative_to(ROOT)}` (`{data.command}`), weights: `{data.weights}`. "
            "Ours: numerical (structural in brackets).\n\n" + table2_markdown(data.rows) + "\n" + "\n".join(notes) + "\n")


def bench_block(path: Path) -> str:
    data = json.loads(path.read_text())
    r = data["resnet50"]
    rows = [["ResNet-50 audit, `--method auto` (every σ exact within its Weyl bound)", r["fast_s"], r["reference_s"],
             r["speedup"], r["ranks_identical"]],
            ["ResNet-50 audit, `--method certify` (ranks only)", r["certify_s"], r["reference_s"], r["certify_speedup"],
             r["ranks_identical"]]]
    ww = data.get("weightwatcher", {})
    text = f"Generated from `{path.relative_to(ROOT)}` (`{data['command']}`), {data['threads']} CPU threads.\n\n"
    text += markdown_table(["what", "time (s)", "fp64 SVD reference (s)", "speed-up", "ranks identical"], rows)
    if "analyze_s" in ww:
        text += (f"\nWeightWatcher {ww['version']} `analyze()` on the same ResNet-50: {ww['analyze_s']} s "
                 f"({ww['speedup_vs_weightwatcher']}x the audit's time).\n")
    elif ww:
        text += f"\nWeightWatcher: {ww.get('error') or ww.get('why')}\n"
    if "zoo" in data:
        zoo_rows = [[z["model"], z["n_weights"], z["build_s"], z["fast_s"], z["certify_s"], z.get("reference_s"),
                     z.get("speedup"), z.get("certify_speedup"), z.get("ranks_identical"),
                     ", ".join(f"{k} {v}" for k, v in sorted(z["methods"].items()))] for z in data["zoo"]]
        text += "\nThe Table 2 zoo (random-init weights):\n\n" + markdown_table(
            ["model", "n", "build (s)", "auto (s)", "certify (s)", "reference (s)", "speed-up auto", "speed-up certify",
             "ranks identical (auto, certify, SVD)", "tiers that decided (auto)"], zoo_rows)
        text += (f"\nWhole zoo, model construction included: {data['zoo_total_s']} s with `auto`, "
                 f"{data['zoo_certify_total_s']} s with `certify`"
                 + (f"; the fp64 SVD reference took {data['zoo_reference_s']} s; every rank identical: "
                    f"{data['zoo_ranks_identical']}." if "zoo_reference_s" in data else ".") + "\n")
    return text


def _source(paths: list[Path]) -> str:
    return ", ".join(f"`{p.relative_to(ROOT)}`" for p in paths)


def stego_train_block(paths: list[Path]) -> str:
    rows, commands = [], []
    for path in paths:
        d = json.loads(path.read_text())
        m, paper = d["metrics"], d.get("paper") or {}
        rows.append([d["arch"].removeprefix("nullsight:"), d["data"], d["config"]["epochs"], m["train_original"]["accuracy"], paper.get("train_accuracy_original"),
                     m["train_rescaled"]["accuracy"], paper.get("train_accuracy_rescaled"), m["test_original"]["accuracy"],
                     m["test_rescaled"]["accuracy"], m["train_original"]["mean_confidence_correct"],
                     paper.get("train_confidence_original"), m["train_rescaled"]["mean_confidence_correct"],
                     paper.get("train_confidence_rescaled")])
        commands.append(f"`{d['command']}`")
    return (f"Generated from {_source(paths)} ({'; '.join(commands)}).\n\n" + markdown_table(
        ["model", "data", "epochs", "train acc.", "paper", "train acc. 0.2x", "paper", "test acc.", "test acc. 0.2x",
         "conf. (correct)", "paper", "conf. 0.2x", "paper"], rows) + _paper_accuracy_verdict(paths))


def _paper_accuracy_verdict(paths: list[Path]) -> str:
    """Whether the longest-trained MNIST MLP reaches 0.995 on the original and the 0.2x training images."""
    runs = [json.loads(p.read_text()) for p in paths]
    runs = [d for d in runs if d["arch"] == "nullsight:mlp" and d["data"] == "mnist"]
    if not runs:
        return ""
    d = max(runs, key=lambda d: d["config"]["epochs"])
    a, b = d["metrics"]["train_original"]["accuracy"], d["metrics"]["train_rescaled"]["accuracy"]
    short = [name for name, v in (("the original images", a), ("the 0.2x copies", b)) if v < 0.995]
    verdict = "at least 0.995 on both" if not short else f"below 0.995 on {' and '.join(short)}"
    return (f"\nThe seed-001 MLP on MNIST after {d['config']['epochs']} epochs: training accuracy {a:.4f} (original) / "
            f"{b:.4f} (0.2x copies), {verdict} (the paper: {d['paper']['train_accuracy_original']} / "
            f"{d['paper']['train_accuracy_rescaled']}).\n")


def stego_eval_block(paths: list[Path]) -> str:
    rows, commands = [], []
    for path in paths:
        d = json.loads(path.read_text())
        r = d["robustness"]
        rows.append([_model_name(d["model"]), d["cover_data"], d["hidden_data"], d["n"], d["null_dim"], d["success_rate"],
                     d["success_vs_label"], d["agrees_with_scaled_hidden"], d["mean_confidence"], d["alpha2_mean"],
                     d["psnr_to_cover_mean"], d["ssim_to_cover_mean"]] + [r[k] for k in sorted(r)])
        keys = sorted(r)
        commands.append(f"`{d['command']}`")
    columns = ["model", "cover", "hidden", "pairs", "null dim", "success", "= label", "= pred(0.2H)", "confidence",
               "mean α2", "PSNR (dB)", "SSIM"] + [f"after {k}" for k in keys]
    return f"Generated from {_source(paths)} ({'; '.join(commands)}).\n\n" + markdown_table(columns, rows)


def stego_conv_block(paths: list[Path]) -> str:
    text = ""
    for path in paths:
        d = json.loads(path.read_text())
        rows = [[x["filters"], x["input_dim"], x["output_dim"], x["null_dim"], x["expected_generic"], x["max_abs_conv_of_basis"]]
                for x in d["rows"]]
        text += (f"Generated from `{path.relative_to(ROOT)}` (`{d['command']}`): {d['source']}, {d['kernel']}x{d['kernel']} "
                 f"{d['padding']} on {d['size']}x{d['size']}.\n\n" + markdown_table(
                     ["filters", "input dim", "output dim", "null dim", "max(in - out, 0)", "max abs conv(basis), fp64"], rows) + "\n")
    return text


def bench_stego_block(path: Path) -> str:
    d = json.loads(path.read_text())
    return (f"Generated from `{path.relative_to(ROOT)}` (`{d['command']}`): one MNIST epoch with the 0.2x copies "
            f"({d['train_samples_per_epoch']:,} samples) took {d['train_epoch_s']} s; stego evaluation of {d['eval_pairs']:,} "
            f"pairs took {d['eval_batched_s']} s batched ({d['batched_per_pair_ms']} ms per pair, SSIM included) against "
            f"{d['one_by_one_per_pair_ms']} ms per pair one at a time: {d['batched_speedup']}x.\n")


def _model_name(spec: str) -> str:
    """A checkpoint path shows as its file name; a library spec as it is."""
    return Path(spec).name if spec.endswith((".safetensors", ".pth", ".pt")) else spec


def collisions_block(folder: Path) -> str:
    """Markdown: one row per collision result, the Eq. 6 runs, the sweeps and Fig. 5, each with its command."""
    results = [result_from_dict(json.loads(p.read_text())) for p in sorted(folder.glob("*.json"))]
    rows, attacks, sweeps, fig5, commands = [], [], [], [], []
    for r in results:
        commands.append(r.command)
        if r.KIND == "collision":
            rb = r.robustness
            variant = "box" if rb is not None and rb.constrained else (f"{r.attack.name} + " if r.attack else "") + (
                "per-patch" if r.per_patch else (r.recipe or "—"))
            rows.append([_model_name(r.model), r.method, r.first_layer.name, r.null_dim, variant, r.beta, r.exact,
                         r.max_abs_diff, r.max_rel_diff_fp64, r.first_collision_layer, r.psnr, r.same_top1,
                         rb and rb.clipped.exact, rb and rb.png8 and rb.png8.exact, r.n_images])
            if r.attack is not None:
                a = r.attack
                attacks.append([_model_name(r.model), a.name, a.eps_total, a.eps, r.beta, max(a.linf_total or [0.0]),
                                a.within_budget, a.success_rate, a.success_rate_after, r.exact, r.n_images])
        elif r.KIND == "collision-sweep":
            pts = r.points
            sweeps.append([_model_name(r.model), r.method, r.null_dim, r.n_images,
                           f"{pts[0].beta:g}–{pts[-1].beta:g}" if pts else "—",
                           f"{pts[0].psnr_mean:.1f} → {pts[-1].psnr_mean:.1f}" if pts else "—",
                           f"{pts[0].ssim_mean:.3f} → {pts[-1].ssim_mean:.3f}" if pts else "—",
                           min((p.exact_fraction for p in pts), default=None),
                           max((p.max_rel_diff_fp64 for p in pts), default=None)])
        elif r.KIND == "collision-fig5":
            fig5.append([_model_name(r.model), r.method, f"{r.n_vectors} of {r.null_dim}", len(r.layers),
                         max(r.max_abs_fp64), max(r.max_abs_fp32), r.paper_max])
    head = ["model", "method", "first layer", "null dim", "P", "β (L∞)", "exact", "max abs Δ fp32",
            "max rel Δ fp64", "first collision", "PSNR dB", "same top-1", "clipped exact", "PNG-8 exact", "images"]
    text = (f"Generated from `{folder.relative_to(ROOT)}/*.json`; random-init "
            "weights unless the model is a checkpoint. **exact** = fp64 relative output difference ≤ 1e-9 in a "
            "forward pass.\n\n" + markdown_table(head, rows))
    if attacks:
        text += ("\nEq. 6 within its budget: the attack runs at ε − β, the null-space step adds β; the measured "
                 "L∞ of x̂ − x against ε, and the attack's success before and after the collision step:\n\n" + markdown_table(
                     ["model", "attack", "ε (total)", "ε attack", "β", "max L∞ of x̂ − x", "within ε", "success x'",
                      "success x̂", "exact", "images"], attacks))
    if sweeps:
        text += "\nBeta sweep (Fig. 3 of seed 000), outputs verified at every β:\n\n" + markdown_table(
            ["model", "method", "null dim", "images", "β range", "PSNR dB", "SSIM", "exact fraction (min)",
             "max rel Δ fp64"], sweeps)
    if fig5:
        text += "\nNumerical exactness (Fig. 5 of seed 000): every basis vector, every layer:\n\n" + markdown_table(
            ["model", "method", "basis vectors", "layers", "max |Δ| fp64", "max |Δ| fp32", "paper's bound"], fig5)
    text += "\nCommands:\n\n" + "\n".join(f"- `{c}`" for c in commands if c) + "\n"
    return text


GLOBS = {"stego-train": ("results/stego/train-*.json", stego_train_block),
         "stego-eval": ("results/stego/eval-*.json", stego_eval_block),
         "stego-conv": ("results/stego/conv-*.json", stego_conv_block)}


def _fig5_sentence(f: dict | None) -> str:
    if not f:
        return ""
    return (f" Fig. 5 on {f['model']}: {f['vectors']} of its {f['of']} null-space basis vectors through {f['layers']} "
            f"layers in {f['batched_s']} s batched (32 per pass) against {f['one_at_a_time_s']} s one at a time "
            f"({f['speedup']}x); largest fp64 difference at any layer {f['max_abs_fp64_any_layer']:.1e}, the two paths "
            f"agree to {f['max_output_diff_between_paths_fp64']:.1e}.")


def bench_collide_block(path: Path) -> str:
    d = json.loads(path.read_text())
    v = d["verified"]
    rows = [[n["operator"], n["fast"], n["fast_s"], n.get("reference_s"), n.get("speedup"), n["dim_fast"],
             n.get("dim_reference"), n.get("why_no_reference", "")] for n in d["null_space"]]
    return (f"Generated from `{path.relative_to(ROOT)}` (`{d['command']}`), {d['threads']} CPU threads. "
            f"Collisions verified per second on {v['model']} at 224x224 ({v['n']} images, fp32 + fp64 forward passes "
            f"with per-layer hooks): {v['verified_per_s_batched']}/s batched against {v['verified_per_s_one_at_a_time']}/s "
            f"one at a time ({v['batched_speedup']}x); all exact: {v['all_exact']} (max fp64 relative difference "
            f"{v['max_rel_diff_fp64']:.1e}).{_fig5_sentence(d.get('fig5'))}\n\n" + markdown_table(
                ["operator", "fast path", "fast (s)", "dense SVD (s)", "speed-up", "null dim", "null dim (dense)", "note"], rows))


BLOCKS = {"bench-stego": ("results/bench-stego.json", bench_stego_block),
          "bench-collide": ("results/bench-collide.json", bench_collide_block),
          "collisions": ("results/collisions", collisions_block), "table2": ("results/audit/table2.json", table2_block), "bench-audit": ("results/bench-audit.json", bench_block)}


# Each capability's own generator: tools/readme_<area>.py with BLOCKS = {name: () -> markdown}.
AREA_MODULES = ("readme_nula", "readme_geometry", "readme_masks", "readme_reach", "readme_seeds", "readme_headlines",
                "readme_claims", "readme_atlas", "readme_mutation")


def area_blocks() -> dict[str, Callable[[], str]]:
    import importlib

    if str(Path(__file__).parent) not in sys.path:
        sys.path.insert(0, str(Path(__file__).parent))
    blocks: dict[str, Callable[[], str]] = {}
    for name in AREA_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        blocks.update(module.BLOCKS)
    return blocks


def _missing(rel: str) -> str:
    return f"_`{rel}` is not there yet: the experiment that writes it has not been run on this checkout._\n"


def _from_path(rel: str, build: Callable[[Path], str]) -> Callable[[], str]:
    def block() -> str:
        path = ROOT / rel
        return build(path) if path.exists() else _missing(rel)
    return block


def _from_glob(pattern: str, build: Callable[[list[Path]], str]) -> Callable[[], str]:
    def block() -> str:
        paths = sorted(ROOT.glob(pattern))
        return build(paths) if paths else _missing(pattern)
    return block


def blocks() -> dict[str, Callable[[], str]]:
    """Every generated table by name: a function of nothing that reads results/ when called and returns markdown."""
    out: dict[str, Callable[[], str]] = {name: _from_path(rel, build) for name, (rel, build) in BLOCKS.items()}
    out.update({name: _from_glob(pattern, build) for name, (pattern, build) in GLOBS.items()})
    out.update(area_blocks())
    return out


def fill_markers(text: str) -> str:
    """``text`` with each ``<!-- BEGIN name -->`` ... ``<!-- END name -->`` block regenerated (unknown names kept)."""
    known = blocks()

    def refill(match: re.Match) -> str:
        name = match.group(2)
        if name not in known:
            print(f"skip {name}: no generator", file=sys.stderr)
            return match.group(0)
        try:
            block = known[name]()
        except NullsightError as exc:  # a stale result (older schema): keep the block as it is, say which
            print(f"skip {name}: {exc}", file=sys.stderr)
            return match.group(0)
        return match.group(1) + block + match.group(3)

    return re.sub(r"(<!-- BEGIN (\S+) -->\n).*?(<!-- END \2 -->)", refill, text, flags=re.S)


def main() -> int:
    readme = ROOT / "README.md"
    write_text(readme, fill_markers(readme.read_text()))
    return 0


if __name__ == "__main__":
    sys.exit(main())

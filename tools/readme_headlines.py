"""The README's headline lines: one measured sentence per capability, generated from results/ (never typed).

``BLOCKS`` maps a block name to a function returning its markdown; ``tools/readme_tables.py`` splices them between
``<!-- BEGIN name -->`` markers (``make readme``), and the docs build can use them as ``<!-- nullsight:table name -->``.
A headline whose result is missing says which experiment makes it.
"""

from __future__ import annotations

from typing import Callable

from readme_common import ROOT, load_json, missing as _missing

RESULTS = ROOT / "results"


def audit() -> str:
    d = load_json(RESULTS / "audit/table2.json")
    if d is None:
        return _missing("audit/table2.json", "table2")
    rows = [r for r in d["rows"] if r.get("ours")]
    blind = [r for r in rows if r["ours"]["nullity_first"]]
    nu = sum(r["ours"]["nu"] for r in rows)
    weights = sum(r["ours"]["n_weights"] for r in rows)
    example = next((r for r in rows if r["spec"] == "torchvision:alexnet"), rows[0])
    return (f"Measured: {len(blind)} of the {len(rows)} Table 2 architectures built here have a first weight with a "
            f"non-trivial null space, and {nu:,} of their {weights:,} weights have nullity ≥ 1 (ν); AlexNet's first "
            f"convolution is blind to {example['ours']['nullity_first']} directions of every 11 × 11 × 3 patch "
            f"(paper: {example['paper']['nullity_first']}).\n")


def collisions() -> str:
    deit, resnet = load_json(RESULTS / "collisions/deit-tiny.json"), load_json(RESULTS / "collisions/resnet50.json")
    if deit is None:
        return _missing("collisions/deit-tiny.json", "experiments-collisions")
    text = (f"Measured: on DeiT-Tiny (null space of dimension {deit['null_dim']}), `x̂` at β = {deit['beta']:g} "
            f"({deit['psnr']:.1f} dB PSNR) changes the logits by {deit['max_rel_diff_fp64']:.1e} (fp64, relative): "
            f"{'exact' if deit['exact'] else 'not exact'}")
    if resnet is not None and not resnet["exact"]:
        text += (f"; ResNet-50's overlapping first convolution has a trivial operator null space, so nullsight says no "
                 f"exact collision exists and shows the paper's recipe moving the logits by "
                 f"{resnet['max_rel_diff_fp64']:.1%}")
    return text + ".\n"


def stego() -> str:
    paper, ours = load_json(RESULTS / "001/stego-paper.json"), load_json(RESULTS / "001/stego-test.json")
    if paper is None:
        return _missing("001/stego-paper.json", "reproduce SEEDS=001")
    text = (f"Measured: on the paper's protocol ({paper['n']:,} MNIST pairs) {paper['paper_success_rate']:.1%} of the "
            f"stego images are classified as the hidden digit (the stego image is at {paper['psnr_to_cover_mean']:.1f} dB "
            f"PSNR from its cover)")
    if ours is not None:
        text += f"; over the unfiltered test split, {ours['success_rate']:.1%} (pred(S) = pred(H))"
    return text + ".\n"


def geometry() -> str:
    d = load_json(RESULTS / "002/analyze-fashion-mnist.json")
    if d is None:
        return _missing("002/analyze-fashion-mnist.json", "reproduce SEEDS=002")
    return (f"Measured (Fashion-MNIST, ResNet-20): the training hull is closer than the nearest decision boundary for "
            f"{d['ambiguity']['share_hull_closer']:.1%} of {d['n_test']:,} test images (paper, CIFAR-10: 78.3%), and "
            f"accuracy on hull projections is {d['accuracy']['feature_hull']:.1%} in feature space against "
            f"{d['accuracy']['pixel_hull']:.1%} in pixel space.\n")


def masks() -> str:
    d = load_json(RESULTS / "masks/fashion-mnist-robust.json")
    if d is None:
        return _missing("masks/fashion-mnist-robust.json", "experiments-masks")
    import readme_masks

    summary = readme_masks.summary()
    first = next((line for line in summary.splitlines() if line.startswith("- **fashion-mnist**")), "")
    if not first:
        return summary
    sentences = first.removeprefix("- ").strip().split(". ")  # the correlation verdict and the robust masks' one
    return "Measured: " + sentences[0] + ". " + sentences[-1].rstrip(".") + ".\n"


def sampling() -> str:
    base, robust = load_json(RESULTS / "004/eval-base.json"), load_json(RESULTS / "004/eval-robust.json")
    if base is None or robust is None:
        return _missing("004/eval-robust.json", "reproduce SEEDS=004")
    acc = {name: {r["name"]: r["accuracy"] for r in d["rows"]} for name, d in (("base", base), ("robust", robust))}
    text = (f"Measured (Fashion-MNIST, NULA at width 0.25, {base['n']:,} test images): under an antialiased ×0.25 "
            f"resize the base model keeps {acc['base']['resize-aa-0.25']:.1%} and the resolution-robust one "
            f"{acc['robust']['resize-aa-0.25']:.1%} (clean {acc['base']['clean']:.1%} and {acc['robust']['clean']:.1%})")
    base_pad, robust_pad = load_json(RESULTS / "004/eval-base-pad.json"), load_json(RESULTS / "004/eval-robust-pad.json")
    if base_pad is not None and robust_pad is not None:  # zero-padded 28 -> 32: the native high frequencies kept
        pad = {name: {r["name"]: r["accuracy"] for r in d["rows"]} for name, d in (("base", base_pad),
                                                                                  ("robust", robust_pad))}
        text += (f". On zero-padded input (28 → 32, which keeps the native high frequencies) a plain bilinear ×0.5 "
                 f"resize leaves the base model {pad['base']['resize-0.5']:.1%} and the robust one "
                 f"{pad['robust']['resize-0.5']:.1%}, and ×2 decimation {pad['base']['decimate-2']:.1%} and "
                 f"{pad['robust']['decimate-2']:.1%} (clean {pad['base']['clean']:.1%} and "
                 f"{pad['robust']['clean']:.1%})")
    kernels = load_json(RESULTS / "004/kernels.json")
    if kernels is not None:
        ops = kernels["operators"]
        attained = sum(o["nullity"] == o["n"] - o["m"] for o in ops)
        text += (f". Of {len(ops)} downsampling operators, {attained} have dim ker(D) = n − m exactly at "
                 f"{kernels['size']} × {kernels['size']}")
    return text + ".\n"


def atlas() -> str:
    d = load_json(RESULTS / "atlas/atlas.json")
    if d is None:
        return _missing("atlas/atlas.json", "atlas")
    verdicts = d["counts"]["verdict"]
    return (f"Measured: of {len(d['rows']):,} timm and torchvision architectures (random initialisation), "
            f"{verdicts.get('exact', 0):,} have a first operator that can be collided exactly, "
            f"{verdicts.get('impossible', 0):,} one that is injective (with a certificate), and "
            f"{verdicts.get('undetermined', 0):,} are undetermined.\n")


BLOCKS: dict[str, Callable[[], str]] = {
    "headline-audit": audit, "headline-collisions": collisions, "headline-stego": stego,
    "headline-geometry": geometry, "headline-masks": masks, "headline-sampling": sampling, "headline-atlas": atlas,
}


if __name__ == "__main__":
    for name, block in BLOCKS.items():
        print(f"<!-- BEGIN {name} -->\n{block()}<!-- END {name} -->\n")

"""Seed 004's reproduction recipe (the NULA card): base and resolution-robust training, the perturbation table,
the kernels of the downsampling operators.

The card's table is CIFAR-10 at full width; here Fashion-MNIST (28 -> 32, RGB) at width 0.25.  Each card row
gives two claims: the base model's drop under the perturbation (in points), and what robust training buys back.
"""

from __future__ import annotations

from ..reproduce.recipe import Claim, Recipe, Stage
from ..reproduce.stats import Measurement, difference, value
from ..reproduce.verdicts import exactly, near
from .perturbations import CARD_SUITE

WIDTH = "0.25"
BASE, ROBUST = (f"{{checkpoints}}/nula-w{WIDTH}-{kind}-fashion-mnist-seed0.safetensors" for kind in ("base", "robust"))
EVAL_BASE, EVAL_ROBUST, KERNELS = "{out}/eval-base.json", "{out}/eval-robust.json", "{out}/kernels.json"
TOLERANCE = 0.05  # five points: "reproduced in size"; the same sign only: "partly" (reproduced in direction)


def _train(kind: str, out: str) -> Stage:
    augment = "none" if kind == "base" else "resolution"
    full = ("train", "--arch", f"nullsight:nula-w{WIDTH}", "--data", "fashion-mnist", "--epochs", "20", "--batch-size",
            "128", "--lr", "2e-3", "--no-rescale", "--augment", augment, "--seed", "{seed}", "-q", "--out", out,
            "--results", f"{{out}}/train-{kind}.json")
    quick = ("train", "--arch", "nullsight:nula-w0.125", "--data", "digits", "--epochs", "1", "--n-train", "256",
             "--no-rescale", "--augment", augment, "--seed", "{seed}", "-q", "--out", out, "--results",
             f"{{out}}/train-{kind}.json")
    return Stage(f"train-{kind}", full, quick, outputs=(out, f"{{out}}/train-{kind}.json"), trains=True)


def _eval(kind: str, model: str, out: str) -> Stage:
    full = ("sampling", "eval", model, "--data", "fashion-mnist", "--n-worst", "200", "--label", kind, "--seed", "{seed}",
            "-q", "-o", out)
    quick = ("sampling", "eval", model, "--data", "digits", "--n", "64", "--n-worst", "0", "--label", kind, "--seed",
             "{seed}", "-q", "-o", out)
    return Stage(f"eval-{kind}", full, quick, outputs=(out,), reads=(model,))


def _row(result, name: str):  # noqa: ANN001, ANN202
    return next(r for r in result.rows if r.name == name)


def _base_drop(name: str):  # noqa: ANN202
    def measure(load) -> Measurement:  # noqa: ANN001
        r = load(EVAL_BASE)
        clean, hit = _row(r, "clean"), _row(r, name)
        return difference(hit.accuracy, clean.accuracy, r.n, r.n, note=f"base accuracy {hit.accuracy:.3f} vs clean "
                                                                        f"{clean.accuracy:.3f}")

    return measure


def _robust_gain(name: str):  # noqa: ANN202
    def measure(load) -> Measurement:  # noqa: ANN001
        base, robust = load(EVAL_BASE), load(EVAL_ROBUST)
        gain_b = _row(base, name).accuracy - _row(base, "clean").accuracy
        gain_r = _row(robust, name).accuracy - _row(robust, "clean").accuracy
        # the gain's interval: the two drops' Wald intervals added in quadrature (independent models)
        db = difference(_row(base, name).accuracy, _row(base, "clean").accuracy, base.n, base.n)
        dr = difference(_row(robust, name).accuracy, _row(robust, "clean").accuracy, robust.n, robust.n)
        half = ((db.high - db.value) ** 2 + (dr.high - dr.value) ** 2) ** 0.5
        g = gain_r - gain_b
        return Measurement(g, min(base.n, robust.n), "difference of drops, Wald 95%", low=g - half, high=g + half)

    return measure


def _card(name: str) -> tuple[str, float, float]:
    from .perturbations import PERTURBATIONS

    p = PERTURBATIONS.get(name)
    clean = PERTURBATIONS.get("clean")
    drop = (p.paper_base - clean.paper_base) / 100
    gain = ((p.paper_robust - clean.paper_robust) - (p.paper_base - clean.paper_base)) / 100
    return p.label, drop, gain


def _claims() -> tuple[Claim, ...]:
    protocol = ("Fashion-MNIST resized 28 -> 32 (RGB), NULA at width 0.25, 20 epochs, one seed; the card: CIFAR-10, "
                "full width")
    claims = []
    for name in CARD_SUITE:
        if name == "clean":
            continue
        label, drop, gain = _card(name)
        claims.append(Claim(f"004-B-{name}", f"{label}: the base model's accuracy changes by {drop * 100:+.1f} points",
                            f"{drop * 100:+.1f} points", _base_drop(name), near(drop, TOLERANCE), protocol,
                            needs=(EVAL_BASE,)))
        claims.append(Claim(f"004-R-{name}", f"{label}: resolution-robust training changes that by {gain * 100:+.1f} "
                            "points", f"{gain * 100:+.1f} points", _robust_gain(name), near(gain, TOLERANCE), protocol,
                            needs=(EVAL_BASE, EVAL_ROBUST)))
    claims.append(Claim("004-K-decimate-2", "Decimation x2 of a 32x32 channel has a kernel of dimension 768 "
                        "(3/4 of the pixels)", "768", lambda load: value(_kernel(load(KERNELS), "decimate-2"),
                                                                           test="matrix-free rank, checked by dense SVD"),
                        exactly(768), "none", needs=(KERNELS,)))
    return tuple(claims)


def _kernel(result, name: str) -> float:  # noqa: ANN001
    return float(next(o.nullity for o in result.operators if o.name == name))


RECIPE = Recipe(
    seed="004",
    title="NULA: what downsampling cannot see",
    stages=(
        _train("base", BASE),
        _train("robust", ROBUST),
        _eval("base", BASE, EVAL_BASE),
        _eval("robust", ROBUST, EVAL_ROBUST),
        Stage("kernels", ("sampling", "kernels", BASE, "--size", "32", "--larger", "224", "-o", KERNELS),
              ("sampling", "kernels", BASE, "--size", "32", "-o", KERNELS), outputs=(KERNELS,),
              reads=(BASE,)),
    ),
    claims=_claims(),
    untestable=(("004-C10", "The card's absolute accuracies on CIFAR-10 (91.95% base, 89.42% robust)",
                 "CIFAR-10 cannot be downloaded on this machine; the recipe runs on Fashion-MNIST"),),
)

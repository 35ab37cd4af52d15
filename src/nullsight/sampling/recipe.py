"""Seed 004's reproduction recipe (the NULA card): base and resolution-robust training, the perturbation table,
the kernels of the downsampling operators.

The card's table is CIFAR-10 at full width; here Fashion-MNIST at width 0.25, brought from 28x28 to the model's
32x32 RGB input by two pipelines side by side: ``resize`` (bilinear; softens the native highest frequencies, which
aliasing acts on) and ``pad`` (zeros around: the native pixels kept).  Each card row gives two claims per pipeline:
the base model's drop under the perturbation (in points), and what robust training buys back; the card's resize
rows are read both as plain and as antialiased bilinear resizes, since the card names neither.

Beyond the card: the spread of the base drops over three seeds of width 0.125 (10 epochs), and two ablations at
that width (strided convolutions instead of BlurPool; no squeeze-and-excitation).
"""

from __future__ import annotations

from ..reproduce.recipe import Claim, Recipe, Stage
from ..reproduce.stats import Measurement, difference, value
from ..reproduce.verdicts import at_least, exactly, near
from .perturbations import ANTIALIASED, CARD_SUITE

WIDTH = "0.25"
PIPELINES = ("resize", "pad")
SPREAD_SEEDS = (0, 1, 2)
ABLATIONS = {"strided": "strided convolutions instead of BlurPool", "nose": "no squeeze-and-excitation"}
SPREAD_ROWS = ("resize-0.5", "decimate-2")  # the rows whose seed-to-seed spread is reported
KERNELS = "{out}/kernels.json"
TOLERANCE = 0.05  # five points: "reproduced in size"; the same sign only: "partly" (reproduced in direction)


def _suffix(fit: str) -> str:
    return "" if fit == "resize" else f"-{fit}"


def checkpoint(kind: str, fit: str = "resize") -> str:
    """The width-0.25 checkpoint of ``kind`` (base | robust) trained through pipeline ``fit``."""
    return f"{{checkpoints}}/nula-w{WIDTH}-{kind}{_suffix(fit)}-fashion-mnist-seed0.safetensors"


def evaluation(tag: str) -> str:
    """The ``sampling eval`` result of the model tagged ``tag`` (``base``, ``robust-pad``, ``w0.125-s1``, ...)."""
    return f"{{out}}/eval-{tag}.json"


def _train(tag: str, arch: str, out: str, *, epochs: int, augment: str, fit: str, seed: str) -> Stage:
    full = ("train", arch, "--data", "fashion-mnist", "--epochs", str(epochs), "--batch-size", "128", "--lr", "2e-3",
            "--no-rescale", "--augment", augment, "--fit", fit, "--seed", seed, "-q", "--out", out, "--results",
            f"{{out}}/train-{tag}.json")
    quick = ("train", "nullsight:nula-w0.125" if "w0.25" in arch else arch, "--data", "digits", "--epochs", "1",
             "--n-train", "256", "--no-rescale", "--augment", augment, "--fit", fit, "--seed", seed, "-q", "--out", out,
             "--results", f"{{out}}/train-{tag}.json")
    return Stage(f"train-{tag}", full, quick, outputs=(out, f"{{out}}/train-{tag}.json"), trains=True)


def _eval(tag: str, model: str, *, n_worst: int = 200) -> Stage:
    out = evaluation(tag)
    full = ("sampling", "eval", model, "--data", "fashion-mnist", "--n-worst", str(n_worst), "--label", tag, "--seed",
            "{seed}", "-q", "-o", out)
    quick = ("sampling", "eval", model, "--data", "digits", "--n", "64", "--n-worst", "0", "--label", tag, "--seed",
             "{seed}", "-q", "-o", out)
    return Stage(f"eval-{tag}", full, quick, outputs=(out,), reads=(model,))


def _card_models() -> tuple[Stage, ...]:
    stages = []
    for fit in PIPELINES:
        for kind in ("base", "robust"):
            tag = f"{kind}{_suffix(fit)}"
            stages.append(_train(tag, f"nullsight:nula-w{WIDTH}", checkpoint(kind, fit), epochs=20,
                                 augment="none" if kind == "base" else "resolution", fit=fit, seed="{seed}"))
    for fit in PIPELINES:
        for kind in ("base", "robust"):
            stages.append(_eval(f"{kind}{_suffix(fit)}", checkpoint(kind, fit)))
    return tuple(stages)


def _small(tag: str, arch: str, seed: int) -> tuple[Stage, Stage]:
    ckpt = f"{{checkpoints}}/nula-{tag}-fashion-mnist.safetensors"
    return (_train(tag, arch, ckpt, epochs=10, augment="none", fit="resize", seed=str(seed)),
            _eval(tag, ckpt, n_worst=0))


def _small_models() -> tuple[Stage, ...]:
    pairs = [_small(f"w0.125-s{s}", "nullsight:nula-w0.125", s) for s in SPREAD_SEEDS]
    pairs += [_small(f"w0.125-{name}", f"nullsight:nula-w0.125-{name}", 0) for name in ABLATIONS]
    return tuple(stage for pair in pairs for stage in pair)


def _row(result, name: str):  # noqa: ANN001, ANN202
    return next(r for r in result.rows if r.name == name)


def _drop(result, name: str) -> Measurement:  # noqa: ANN001
    """The accuracy change under ``name`` from clean, with its Wald interval."""
    hit, clean = _row(result, name), _row(result, "clean")
    return difference(hit.accuracy, clean.accuracy, result.n, result.n,
                      note=f"accuracy {hit.accuracy:.3f} vs clean {clean.accuracy:.3f}")


def _base_drop(name: str, tag: str):  # noqa: ANN202
    return lambda load: _drop(load(evaluation(tag)), name)  # noqa: ANN001


def _gain(name: str, better: str, worse: str, note: str = ""):  # noqa: ANN202
    """How much smaller the drop under ``name`` is for model ``better`` than for ``worse`` (independent models: the
    two drops' Wald intervals added in quadrature)."""

    def measure(load) -> Measurement:  # noqa: ANN001
        db, dw = _drop(load(evaluation(better)), name), _drop(load(evaluation(worse)), name)
        half = ((db.high - db.value) ** 2 + (dw.high - dw.value) ** 2) ** 0.5
        g = db.value - dw.value
        return Measurement(g, min(db.n, dw.n), "difference of drops, Wald 95%", low=g - half, high=g + half, note=note)

    return measure


def _spread(name: str):  # noqa: ANN202
    def measure(load) -> Measurement:  # noqa: ANN001
        drops = [_drop(load(evaluation(f"w0.125-s{s}")), name).value for s in SPREAD_SEEDS]
        mean = sum(drops) / len(drops)
        return Measurement(mean, len(drops), f"mean over {len(drops)} seeds, interval = min and max", low=min(drops),
                           high=max(drops), note="seeds " + ", ".join(f"{d * 100:+.1f}" for d in drops) + " points")

    return measure


def _card(name: str) -> tuple[str, float, float]:
    from .perturbations import PERTURBATIONS

    p = PERTURBATIONS.get(name)
    clean = PERTURBATIONS.get("clean")
    drop = (p.paper_base - clean.paper_base) / 100
    gain = ((p.paper_robust - clean.paper_robust) - (p.paper_base - clean.paper_base)) / 100
    return p.label, drop, gain


def _pipeline_claims(fit: str) -> list[Claim]:
    how = "resized 28 -> 32 (bilinear)" if fit == "resize" else "zero-padded 28 -> 32 (native pixels kept)"
    protocol = f"Fashion-MNIST {how}, RGB, NULA at width {WIDTH}, 20 epochs, one seed; the card: CIFAR-10, full width"
    base, robust = f"base{_suffix(fit)}", f"robust{_suffix(fit)}"
    prefix = "" if fit == "resize" else f"{fit}-"
    claims = []
    for name in CARD_SUITE[1:] + ANTIALIASED:
        label, drop, gain = _card(name)
        where = "" if fit == "resize" else f" ({fit} pipeline)"
        claims.append(Claim(f"004-B-{prefix}{name}", f"{label}: the base model's accuracy changes by {drop * 100:+.1f} "
                            f"points{where}", f"{drop * 100:+.1f} points", _base_drop(name, base), near(drop, TOLERANCE),
                            protocol, needs=(evaluation(base),)))
        claims.append(Claim(f"004-R-{prefix}{name}", f"{label}: resolution-robust training changes that by "
                            f"{gain * 100:+.1f} points{where}", f"{gain * 100:+.1f} points",
                            _gain(name, robust, base), near(gain, TOLERANCE), protocol,
                            needs=(evaluation(base), evaluation(robust))))
    return claims


def _small_claims() -> list[Claim]:
    protocol = "Fashion-MNIST resized 28 -> 32, NULA at width 0.125, 10 epochs; the card: CIFAR-10, full width"
    seeds = tuple(evaluation(f"w0.125-s{s}") for s in SPREAD_SEEDS)
    claims = []
    for name in SPREAD_ROWS:
        label, drop, _ = _card(name)
        claims.append(Claim(f"004-S-{name}", f"{label}: the base drop of {drop * 100:+.1f} points holds across three "
                            "seeds", f"{drop * 100:+.1f} points", _spread(name), near(drop, TOLERANCE), protocol,
                            needs=seeds))
    plain = evaluation("w0.125-s0")
    for ablation, what in ABLATIONS.items():
        tag = f"w0.125-{ablation}"
        part = "BlurPool" if ablation == "strided" else "Squeeze-and-excitation"
        claims.append(Claim(f"004-A-{ablation}", f"{part} makes the base model lose less under decimation x2 than the "
                            f"same network with {what} (the card's design rationale)", "no figure (rationale)",
                            _gain("decimate-2", "w0.125-s0", tag, note=f"NULA vs {what}, seed 0"), at_least(0.0),
                            protocol, needs=(plain, evaluation(tag))))
    return claims


def _claims() -> tuple[Claim, ...]:
    claims = [claim for fit in PIPELINES for claim in _pipeline_claims(fit)] + _small_claims()
    claims.append(Claim("004-K-decimate-2", "Decimation x2 of a 32x32 channel has a kernel of dimension 768 "
                        "(3/4 of the pixels)", "768", lambda load: value(_kernel(load(KERNELS), "decimate-2"),
                                                                           test="matrix-free rank, checked by dense SVD"),
                        exactly(768), "none", needs=(KERNELS,)))
    return tuple(claims)


def _kernel(result, name: str) -> float:  # noqa: ANN001
    return float(next(o.nullity for o in result.operators if o.name == name))


BASE = checkpoint("base")
RECIPE = Recipe(
    seed="004",
    title="NULA: what downsampling cannot see",
    stages=_card_models() + _small_models() + (
        Stage("kernels", ("sampling", "kernels", BASE, "--size", "32", "--larger", "224", "-o", KERNELS),
              ("sampling", "kernels", BASE, "--size", "32", "-o", KERNELS), outputs=(KERNELS,),
              reads=(BASE,)),
    ),
    claims=_claims(),
    untestable=(("004-C10", "The card's absolute accuracies on CIFAR-10 (91.95% base, 89.42% robust)",
                 "CIFAR-10 cannot be downloaded on this machine; the recipe runs on Fashion-MNIST"),),
)

"""Seed 002's reproduction recipe (Yousefzadeh): the feature space of the last hidden layer of ResNet-20s trained
on Fashion-MNIST and MNIST (the paper: CIFAR-10), at full scale: the hull of all 60,000 training images, all
10,000 test images, adversarial detection and App. B on 1,000 images per attack (PGD at three budgets, FMN,
DeepFool), the inverse mappings of Figs. 3c, 5c, 7 and 8 on a test image and a training image."""

from __future__ import annotations

from ..attacks import AttackSpec
from ..reproduce.recipe import Claim, Recipe, Stage
from ..reproduce.stats import Measurement, auc, proportion, value
from ..reproduce.verdicts import at_least, at_most, near, significant

DATA = {"fashion-mnist": ("crop-flip", "30", 0.930), "mnist": ("crop", "8", 0.994)}  # augmentation, epochs, bar
ATTACKS = ("pgd:2/255", "pgd:8/255", "pgd:16/255", "fmn", "deepfool")
N_DETECT = "1100"  # test images attacked: >= 1,000 correctly classified ones at 93% accuracy
TOLERANCE = 0.05  # five points of a share: "reproduced in size"


def _paths(data: str) -> dict[str, str]:
    return {"model": f"{{checkpoints}}/resnet20-{data}-seed0.safetensors", "train": f"{{out}}/train-{data}.json",
            "analyze": f"{{out}}/analyze-{data}.json", "detect": f"{{out}}/detect-{data}.json",
            "inverse": f"{{out}}/inverse-{data}.json"}


def _stages(data: str) -> tuple[Stage, ...]:
    p, (augment, epochs, _) = _paths(data), DATA[data]
    recipe = ("--batch-size", "128", "--lr", "0.1", "--optimizer", "sgd", "--weight-decay", "5e-4", "--augment", augment,
              "--no-rescale", "--normalization", "dataset", "--seed", "{seed}", "-q", "--out", p["model"], "--results",
              p["train"])
    return (
        Stage(f"train-{data}", ("train", "nullsight:resnet20", "--data", data, "--epochs", epochs, *recipe),
              ("train", "nullsight:resnet20", "--data", "digits", "--epochs", "4", "--n-train", "1024", *recipe),
              outputs=(p["model"], p["train"]), trains=True),
        Stage(f"analyze-{data}",
              ("geometry", "analyze", p["model"], "--data", data, "--n-train", "60000", "--n-test", "10000", "--n-pixel",
               "1000", "--seed", "{seed}", "-q", "-o", p["analyze"]),
              ("geometry", "analyze", p["model"], "--data", "digits", "--n-train", "200", "--n-test", "30", "--n-pixel",
               "5", "--n-pixel-train", "100", "--n-table", "2", "--seed", "{seed}", "-q", "-o", p["analyze"]),
              outputs=(p["analyze"],), reads=(p["model"],)),
        Stage(f"detect-{data}",
              ("geometry", "detect", p["model"], "--data", data, "--n", N_DETECT, "--n-train", "60000", "--attacks",
               ",".join(ATTACKS), "--steps", "20", "--seed", "{seed}", "-o", p["detect"]),
              ("geometry", "detect", p["model"], "--data", "digits", "--n", "20", "--n-train", "200", "--attacks",
               "pgd:8/255,deepfool", "--steps", "5", "--seed", "{seed}", "-o", p["detect"]),
              outputs=(p["detect"],), reads=(p["model"],)),
        Stage(f"inverse-{data}",
              ("geometry", "inverse", p["model"], "--data", data, "--n", "1000", "--n-train", "60000", "--a", "0",
               "--n-radii", "12", "--references", "3", "--seed", "{seed}", "-o", p["inverse"]),
              ("geometry", "inverse", p["model"], "--data", "digits", "--n", "20", "--n-train", "200", "--a", "0",
               "--n-radii", "3", "--references", "2", "--iterations", "4", "--seed", "{seed}", "-o", p["inverse"]),
              outputs=(p["inverse"],), reads=(p["model"],)),
    )


def _test_accuracy(path: str):  # noqa: ANN202
    def measure(load) -> Measurement:  # noqa: ANN001
        m = load(path).metrics["test_original"]
        return proportion(round(m.accuracy * m.n), m.n)

    return measure


def _share(path: str, read):  # noqa: ANN001, ANN202
    def measure(load) -> Measurement:  # noqa: ANN001
        r = load(path)
        return proportion(round(read(r) * r.n_test), r.n_test)

    return measure


def _detection(path: str, attack: str):  # noqa: ANN202
    """ROC AUC of the score -d_f,min (adversarial inputs sit closer to a boundary), with its bootstrap interval."""

    def measure(load) -> Measurement:  # noqa: ANN001
        r = load(path)
        clean, adv = r.margins.get("clean", []), r.margins.get(attack, [])
        return auc([-m for m in clean], [-m for m in adv])

    return measure


def _appendix_b(path: str, attack: str, read):  # noqa: ANN001, ANN202
    """An App. B figure of one attack (``read`` of its :class:`~nullsight.geometry.result.AppendixB`)."""

    def measure(load) -> Measurement:  # noqa: ANN001
        r = load(path)
        row = next((a for a in r.attacks if AttackSpec(a.attack, a.eps).label == attack), None)
        if row is None or row.appendix_b is None:
            return value(float("nan"), 0, "App. B not measured (no successful adversarial input, or no --n-train)")
        return read(row.appendix_b)

    return measure


def _share_of(share) -> Measurement:  # noqa: ANN001
    return proportion(share.k, share.n)


def _shift(b) -> Measurement:  # noqa: ANN001
    t = b.towards_hull
    return Measurement(t.median_difference, t.n, "median paired change of d_h, Wilcoxon signed-rank two-sided", p=t.p,
                       note=f"moved towards the hull: {t.share_decreased:.1%} of images")


def _inverse(path: str, read, note: str = ""):  # noqa: ANN001, ANN202
    def measure(load) -> Measurement:  # noqa: ANN001
        return value(read(load(path)), 1, "measured on one image pair", note=note)

    return measure


def _claims(data: str) -> tuple[Claim, ...]:
    p, bar = _paths(data), DATA[data][2]
    protocol = f"{data} (the paper: CIFAR-10), ResNet-20 trained here, 64 features"
    claims = [
        Claim(f"002-M-{data}", f"The ResNet-20 reaches the accuracy a trained ResNet-20 has on {data}",
              f">= {bar:.1%} (our bar)", _test_accuracy(p["train"]), at_least(bar),
              "a precondition of the protocol, not a claim of the paper", needs=(p["train"],)),
        Claim(f"002-H-{data}", "Most test images are closer to the training set's convex hull than to a decision "
              "boundary (d_h < d_f,min)", "78.3%", _share(p["analyze"], lambda r: r.ambiguity.share_hull_closer),
              near(0.783, TOLERANCE, null=0.5), protocol, needs=(p["analyze"],)),  # "most": more than half
        Claim(f"002-U-{data}", "Test images inside the union of the training images' guaranteed balls",
              "68%", _share(p["analyze"], lambda r: r.union.share_test_in_union), near(0.68, TOLERANCE), protocol,
              needs=(p["analyze"],)),
        Claim(f"002-S-{data}", "The hull projection's support points share the test image's label (feature space)",
              "78%", lambda load: value(load(p["analyze"]).support.feature.by_count, load(p["analyze"]).n_test,
                                        "share over the supports of every test image"),
              near(0.78, TOLERANCE, null=0.1), protocol, needs=(p["analyze"],)),  # chance: 10 classes
    ]
    for attack in ATTACKS:
        label = AttackSpec.parse(attack).label
        claims.append(Claim(f"002-D-{data}-{label}", f"Adversarial inputs ({label}) are detected by their small "
                            "feature-space margin", "all detected", _detection(p["detect"], label), at_least(0.95),
                            f"{protocol}; ROC AUC >= 0.95 read as 'detected'; the paper gives no AUC",
                            needs=(p["detect"],)))
        b_protocol = f"{protocol}; hull of all 60,000 training images; successful adversarial inputs only"
        claims += [
            Claim(f"002-B1-{data}-{label}", f"Adversarial inputs ({label}) are closer to a decision boundary than to "
                  "the training hull in feature space (d_f,min < d_h)", "100%",
                  _appendix_b(p["detect"], label, lambda b: _share_of(b.boundary_closer)), at_least(0.99),
                  f"{b_protocol}; 'all' read as >= 99%", needs=(p["detect"],)),
            Claim(f"002-B2-{data}-{label}", f"The attack ({label}) moves images towards the training hull (paired "
                  "d_h after minus before < 0)", "towards the hull (App. B)",
                  _appendix_b(p["detect"], label, _shift), significant(direction=-1), b_protocol,
                  needs=(p["detect"],)),
            Claim(f"002-B3-{data}-{label}", f"Adversarial margins ({label}) lie below the margin of every clean "
                  "training and test image", "all",
                  _appendix_b(p["detect"], label, lambda b: _share_of(b.below_all_clean)), at_least(0.99),
                  f"{b_protocol}; 'all' read as >= 99%", needs=(p["detect"],)),
        ]
    pair = f"{protocol}; one test image (#0) and the training image of its class farthest inside its ball"
    claims += [
        Claim(f"002-I1-{data}", "Images mapping onto points and spheres of the feature space are found (Eqs. 15-18, "
              "a homotopy algorithm); here: the morph of Fig. 8 and the perimeters of Fig. 7, feasible by construction",
              "solved (residual not given)",
              _inverse(p["inverse"], lambda r: max([m.relative_residual or 0.0 for m in r.morph]
                                                   + [m.relative_residual for m in r.perimeter]),
                       "largest residual relative to the feature distance covered"),
              at_most(1e-3), f"{pair}; 'solved' read as a relative residual <= 1e-3", needs=(p["inverse"],)),
        Claim(f"002-I2-{data}", "The morph between the two images inside B(x_phi) keeps the class of x all the way "
              "(Fig. 8)", "the entire path classified as x's class",
              _inverse(p["inverse"], lambda r: sum(m.predicted == r.class_a for m in r.morph) / len(r.morph),
                       "share of the path's images classified as image a"), at_least(1.0), pair,
              needs=(p["inverse"],)),
        Claim(f"002-I3-{data}", "The image mapping onto the hull projection x_h^phi (Fig. 5c) is closer to x than "
              "the one mapping onto the closest flip point (Fig. 3c)", "closer (by eye)",
              _inverse(p["inverse"], lambda r: (r.hull_target.pixel_distance / r.flip_target.pixel_distance
                                                if r.hull_target and r.flip_target.pixel_distance else float("nan")),
                       "||x_5c - x|| / ||x_3c - x||; both residuals in the report"), at_most(1.0), pair,
              needs=(p["inverse"],)),
    ]
    return tuple(claims)


RECIPE = Recipe(
    seed="002",
    title="The feature space of the last hidden layer (Yousefzadeh)",
    stages=tuple(s for data in DATA for s in _stages(data)),
    claims=tuple(c for data in DATA for c in _claims(data)),
    untestable=(("002-C10", "The figures on CIFAR-10 itself (accuracy 90%, Lipschitz 6.12, Table 1 margins)",
                 "CIFAR-10 cannot be downloaded on this machine; the recipe runs on Fashion-MNIST and MNIST"),),
)

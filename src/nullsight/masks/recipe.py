"""Seed 003's reproduction recipe (Fourier essential-frequency masks) on the ResNet-20s of seed 002's recipe:
essential and adversarial masks optimised to convergence on 2,000 Fashion-MNIST and 1,000 MNIST test images,
their correlation (Table 1: IdCor with its permutation p-value) and the k-class trend of Fig. 4."""

from __future__ import annotations

from ..attacks import AttackSpec
from ..reproduce.recipe import Claim, Recipe, Stage
from ..reproduce.stats import Measurement, spearman
from ..reproduce.verdicts import significant

DATA = {  # test images, attacks (MNIST needs larger PGD budgets: 8/255 barely moves it)
    "fashion-mnist": ("2000", "fmn,deepfool,pgd:1/255,pgd:3/255,pgd:8/255"),
    "mnist": ("1000", "fmn,deepfool,pgd:8/255,pgd:32/255,pgd:64/255"),
}


def _paths(data: str) -> dict[str, str]:
    return {"model": f"{{checkpoints}}/resnet20-{data}-seed0.safetensors", "masks": f"{{out}}/masks-{data}.json",
            "dir": f"{{out}}/masks-{data}", "corr": f"{{out}}/correlation-{data}.json"}


def _stages(data: str) -> tuple[Stage, ...]:
    p, (n, attacks) = _paths(data), DATA[data]
    return (
        Stage(f"masks-{data}",
              ("masks", "compute", p["model"], "--data", data, "--n", n, "--attacks", attacks, "--lambda", "0.01",
               "--max-steps", "2000", "--masks-dir", p["dir"], "--seed", "{seed}", "-q", "-o", p["masks"]),
              ("masks", "compute", p["model"], "--data", "digits", "--n", "12", "--attacks", "pgd:8/255,deepfool",
               "--min-steps", "5", "--max-steps", "10", "--attack-steps", "3", "--masks-dir", p["dir"], "--seed",
               "{seed}", "-q", "-o", p["masks"]),
              outputs=(p["masks"],), reads=(p["model"],)),
        Stage(f"correlate-{data}",
              ("masks", "correlate", p["dir"], "--permutations", "1000", "--draws", "5", "--seed", "{seed}", "-o",
               p["corr"]),
              ("masks", "correlate", p["dir"], "--permutations", "20", "--ks", "1,2,3", "--draws", "2", "--seed",
               "{seed}", "-o", p["corr"]),
              outputs=(p["corr"],), reads=(p["masks"],)),
    )


def _idcor(path: str, label: str):  # noqa: ANN202
    def measure(load) -> Measurement:  # noqa: ANN001
        row = next((r for r in load(path).rows if r.attack == label), None)
        if row is None or row.idcor is None or row.p_value is None:
            return Measurement(float("nan"), 0, "IdCor permutation test")
        return Measurement(row.idcor, row.n_pairs, "IdCor, one-sided permutation test", p=row.p_value)

    return measure


def _trend(path: str, label: str):  # noqa: ANN202
    def measure(load) -> Measurement:  # noqa: ANN001
        trend = next((t for t in load(path).trends if t.attack == label), None)
        if trend is None or len(trend.points) < 3:
            return Measurement(float("nan"), 0, "Spearman rho")
        return spearman([q.k for q in trend.points], [q.idcor_mean for q in trend.points])

    return measure


def _claims(data: str) -> tuple[Claim, ...]:
    p, (n, attacks) = _paths(data), DATA[data]
    protocol = f"{data} (the paper: CIFAR-10), ResNet-20 of seed 002's recipe, {n} test images, lambda 0.01"
    claims = []
    for attack in attacks.split(","):
        label = AttackSpec.parse(attack).label
        claims.append(Claim(f"003-T1-{data}-{label}", f"Essential and adversarial ({label}) masks are correlated "
                            "(Table 1: IdCor)", "p = 0.01", _idcor(p["corr"], label), significant(direction=1),
                            protocol, needs=(p["corr"],)))
        claims.append(Claim(f"003-F4-{data}-{label}", f"IdCor grows with the number of classes k ({label}, Fig. 4)",
                            "an increasing trend", _trend(p["corr"], label), significant(direction=1),
                            f"{protocol}; Spearman rho of the mean IdCor against k = 1..10", needs=(p["corr"],)))
    return tuple(claims)


RECIPE = Recipe(
    seed="003",
    title="Fourier essential-frequency masks",
    stages=tuple(s for data in DATA for s in _stages(data)),
    claims=tuple(c for data in DATA for c in _claims(data)),
    untestable=(("003-T2", "Table 2: ResNet-18 and ViT-B/16 on Imagenette",
                 "Imagenette and the pretrained weights cannot be downloaded here: run `masks compute timm:resnet18 "
                 "--weights PATH --data imagefolder:PATH` where you have them"),),
)

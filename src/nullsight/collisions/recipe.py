"""Seed 000's reproduction recipe (exact feature collisions): Table 2's counts, exact collisions, Fig. 5."""

from __future__ import annotations

from ..reproduce.recipe import Claim, Recipe, Stage
from ..reproduce.stats import Measurement, value
from ..reproduce.verdicts import at_most, exactly
from .verify import EXACT_RTOL

TABLE2, COLLIDE, FIG5 = "{out}/table2.json", "{out}/collide-deit-tiny.json", "{out}/fig5-deit-tiny.json"
FIG5_PAPER = 1.5e-14


def _table2_agreement(load) -> Measurement:  # noqa: ANN001
    """The share of Table 2's rows whose structural counts (nu, sum of nullities, nullity of W1) equal the paper's."""
    rows = [r for r in load(TABLE2).rows if r.ours is not None]
    agree = [r for r in rows if (r.ours.structural_nu, r.ours.structural_sum_nullity, r.ours.structural_nullity_first)
             == (r.paper.nu, r.paper.sum_nullity, r.paper.nullity_first)]
    differ = sorted(r.model for r in rows if r not in agree)
    return value(len(agree) / max(len(rows), 1), len(rows), "structural counts compared row by row",
                 note="differ: " + ", ".join(differ) if differ else "every row agrees")


RECIPE = Recipe(
    seed="000",
    title="Exact feature collisions in neural networks (Ozbulak et al.)",
    stages=(
        Stage("table2", ("audit", "--table2", "--seed", "{seed}", "-q", "-f", "json", "-o", TABLE2, "--results-dir",
                         "{out}/table2"),
              ("audit", "--table2", "SqueezeNet", "--seed", "{seed}", "-q", "-f", "json", "-o", TABLE2, "--results-dir",
               "{out}/table2"), outputs=(TABLE2,)),
        Stage("collide-deit-tiny",
              ("collide", "timm:deit_tiny_patch16_224", "--data", "foolbox-imagenet", "--n", "20", "--beta", "0.05",
               "--seed", "{seed}", "-q", "-f", "json", "-o", COLLIDE),
              ("collide", "nullsight:mlp-digits", "--data", "digits", "--n", "4", "--beta", "0.3", "--seed", "{seed}",
               "-q", "-f", "json", "-o", COLLIDE), outputs=(COLLIDE,)),
        Stage("fig5-deit-tiny",
              ("collide-fig5", "timm:deit_tiny_patch16_224", "--data", "foolbox-imagenet", "--n", "1", "--seed",
               "{seed}", "-q", "-o", FIG5),
              ("collide-fig5", "nullsight:mlp-digits", "--data", "digits", "--n", "1", "--limit", "6", "--seed",
               "{seed}", "-q", "-o", FIG5), outputs=(FIG5,)),
    ),
    claims=(
        Claim("000-T2", "Table 2: nu, the sum of nullities and the nullity of W1 for the 19 models follow from the "
              "weights' shapes", "19 rows", _table2_agreement, exactly(1.0),
              "random-init weights (the counts are structural); the share of rows that agree", needs=(TABLE2,)),
        Claim("000-C1", "Null-space perturbations of a ViT's patchify collide exactly: the output does not move",
              "exact", lambda load: value(load(COLLIDE).max_rel_diff_fp64, load(COLLIDE).n_images,
                                          "largest relative output difference at fp64"),
              at_most(EXACT_RTOL), f"DeiT-Tiny, random init, foolbox's 20 ImageNet samples; 'exact' = relative fp64 "
              f"difference <= {EXACT_RTOL:g}", needs=(COLLIDE,)),
        Claim("000-F5", "Fig. 5: every basis vector of the null space leaves every layer unchanged to fp64 round-off",
              f"max |diff| {FIG5_PAPER:g}", lambda load: value(max(load(FIG5).max_abs_fp64), load(FIG5).n_vectors,
                                                                "largest |difference| at any layer, fp64"),
              at_most(10 * FIG5_PAPER), "DeiT-Tiny, random init, one image, all 576 basis vectors; reproduced "
              "within 10x of the paper's figure", needs=(FIG5,)),
    ),
    untestable=(("000-P", "Pretrained ImageNet weights give the same verdicts",
                 "hub weights cannot be downloaded here; pass --weights PATH where you have them"),),
)

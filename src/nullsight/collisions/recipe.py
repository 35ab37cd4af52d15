"""Seed 000's reproduction recipe (exact feature collisions): Table 2's counts, exact collisions, Fig. 5."""

from __future__ import annotations

from ..reproduce.recipe import Claim, Recipe, Stage
from ..reproduce.stats import Measurement, value
from ..reproduce.verdicts import at_most, exactly
from .verify import EXACT_RTOL

TABLE2, COLLIDE, FIG5 = "{out}/table2.json", "{out}/collide-deit-tiny.json", "{out}/fig5-deit-tiny.json"
FIG5_PAPER = 1.5e-14


def _table2_bounds(load) -> Measurement:  # noqa: ANN001
    """The share of Table 2's rows whose three counts (nu, sum of nullities, nullity of W1) are each at least what
    the weights' shapes force: trained weights can only add numerical nullity to the structural one."""
    rows = [r for r in load(TABLE2).rows if r.ours is not None]
    below = sorted(r.model for r in rows
                   if r.paper.nu < r.ours.structural_nu or r.paper.sum_nullity < r.ours.structural_sum_nullity
                   or (r.ours.structural_nullity_first or 0) > r.paper.nullity_first)
    return value((len(rows) - len(below)) / max(len(rows), 1), len(rows), "structural counts compared row by row",
                 note="below the structural count: " + ", ".join(below) if below else "every row at or above")


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
        Claim("000-T2", "Table 2: each model's nu, sum of nullities and nullity of W1 are at least what the weights' "
              "shapes force", "19 models", _table2_bounds, exactly(1.0),
              "random-init weights give the structural counts, a lower bound of the paper's trained ones; the share "
              "of rows at or above it (rows our architectures cannot identify are left out)", needs=(TABLE2,)),
        Claim("000-C1", "Null-space perturbations of a ViT's patchify collide exactly: the output does not move",
              "exact", lambda load: value(load(COLLIDE).max_rel_diff_fp64, load(COLLIDE).n_images,
                                          "largest relative output difference at fp64"),
              at_most(EXACT_RTOL), f"DeiT-Tiny, random init, foolbox's 20 ImageNet samples; 'exact' = relative fp64 "
              f"difference <= {EXACT_RTOL:g}", needs=(COLLIDE,)),
        Claim("000-F5", "Fig. 5: every basis vector of the null space leaves every layer unchanged to fp64 round-off",
              f"largest difference {FIG5_PAPER:g}", lambda load: value(max(load(FIG5).max_abs_fp64), load(FIG5).n_vectors,
                                                                "largest |difference| at any layer, fp64"),
              at_most(10 * FIG5_PAPER), "DeiT-Tiny, random init, one image, all 576 basis vectors; reproduced "
              "within 10x of the paper's figure", needs=(FIG5,)),
    ),
    untestable=(("000-P", "Pretrained ImageNet weights give the same verdicts",
                 "hub weights cannot be downloaded here; pass --weights PATH where you have them"),),
)

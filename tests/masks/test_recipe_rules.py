"""Seed 003's claims decide: Table 1 needs IdCor significant, above its shuffled null and TwoNN converged; each
condition at its boundary flips the verdict (a planted threshold bug breaks one of these)."""

import math

import pytest

from nullsight.masks.optimise import MaskConfig, optimise_masks
from nullsight.masks.recipe import CONVERGED_SHARE, MAX_STEPS, RECIPE, IdCorMeasurement, table1_rule
from nullsight.reproduce.stats import Measurement
from nullsight.reproduce.verdicts import ALPHA, NOT_REPRODUCED, NOT_TESTABLE, PARTLY, REPRODUCED

UP = lambda x: math.nextafter(x, math.inf)  # noqa: E731


def _m(value=0.6, p=0.01, null_high=0.3, converged=True):
    return IdCorMeasurement(value, 1000, "IdCor", p=p, null_high=null_high, converged=converged)


def test_reproduced_when_all_three_hold():
    assert table1_rule(_m()).verdict == REPRODUCED
    assert table1_rule(_m(p=ALPHA)).verdict == REPRODUCED  # p <= ALPHA is significant


def test_p_just_above_alpha_is_not_reproduced():
    assert table1_rule(_m(p=UP(ALPHA))).verdict == NOT_REPRODUCED


def test_a_non_positive_idcor_above_a_negative_null_is_partly():
    """TwoNN's bias can put the whole shuffled null below zero (Fashion-MNIST: null -0.60..-0.33): a significant
    dependence above that null reproduces partly, whatever IdCor's sign; below the null it does not."""
    verdict = table1_rule(_m(value=-0.26, null_high=-0.33))
    assert verdict.verdict == PARTLY and "not positive" in verdict.why and "-0.26" in verdict.why
    assert table1_rule(_m(value=0.0, null_high=-0.33)).verdict == PARTLY  # zero is not positive
    assert table1_rule(_m(value=UP(0.0), null_high=-0.33)).verdict == REPRODUCED
    assert table1_rule(_m(value=-0.4, null_high=-0.33)).verdict == NOT_REPRODUCED
    assert table1_rule(_m(value=-0.26, p=UP(ALPHA), null_high=-0.33)).verdict == NOT_REPRODUCED


def test_not_converged_is_not_testable_and_says_why():
    verdict = table1_rule(_m(converged=False))
    assert verdict.verdict == NOT_TESTABLE and "did not converge" in verdict.why
    assert table1_rule(_m(converged=None)).verdict == NOT_TESTABLE
    assert table1_rule(Measurement(0.6, 100, "IdCor", p=0.01)).verdict == NOT_TESTABLE  # no convergence record


def test_inside_the_shuffled_null_is_not_reproduced():
    assert table1_rule(_m(value=0.3, null_high=0.3)).verdict == NOT_REPRODUCED  # must exceed, not touch
    assert table1_rule(_m(value=UP(0.3), null_high=0.3)).verdict == REPRODUCED
    assert table1_rule(_m(null_high=None)).verdict == NOT_REPRODUCED


def test_no_measurement_is_not_testable():
    assert table1_rule(_m(value=float("nan"))).verdict == NOT_TESTABLE
    assert table1_rule(_m(p=None)).verdict == NOT_TESTABLE


def test_recipe_scale_and_claims():
    """The full protocol: 2,000 Fashion-MNIST and 1,000 MNIST test images, masks capped at 2,000 steps, 1,000
    permutations; a convergence claim per mask set and Table 1 / Fig. 4 claims per attack."""
    assert MAX_STEPS == "2000" and CONVERGED_SHARE == 0.95
    commands = {s.name: s.command for s in RECIPE.stages}
    for data, n in (("fashion-mnist", "2000"), ("mnist", "1000")):
        cmd = commands[f"masks-{data}"]
        assert cmd[cmd.index("--n") + 1] == n and cmd[cmd.index("--max-steps") + 1] == "2000"
        corr = commands[f"correlate-{data}"]
        assert corr[corr.index("--permutations") + 1] == "1000" and corr[corr.index("--kclass-permutations") + 1] == "200"
    ids = [c.id for c in RECIPE.claims]
    assert "003-A3-mnist-essential" in ids and "003-A3-fashion-mnist-pgd@1/255" in ids and "003-T1-fashion-mnist-fmn" in ids and "003-F4-mnist-pgd@64/255" in ids
    assert all(c.rule is table1_rule for c in RECIPE.claims if c.id.startswith("003-T1"))


def test_steps_at_the_cap_are_counted(tiny):
    model, norm, x, y = tiny
    capped = optimise_masks(model, norm, x, y, MaskConfig(lam=0.05, min_steps=5, max_steps=8, patience=50))
    assert capped.at_cap == [True] * len(x) and capped.steps == [8] * len(x)
    early = optimise_masks(model, norm, x, y, MaskConfig(lam=0.05, min_steps=5, max_steps=400, patience=3, tol=0.05))
    assert not any(early.at_cap) and max(early.steps) < 400

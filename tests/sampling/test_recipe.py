"""Seed 004's recipe: both input pipelines, antialiased resizes, the seed spread and the ablations, measured right."""

from types import SimpleNamespace

import pytest

from nullsight.reproduce.verdicts import NOT_REPRODUCED, PARTLY, REPRODUCED
from nullsight.sampling.recipe import RECIPE, evaluation


def _eval(n: int = 1000, **accuracy: float) -> SimpleNamespace:
    rows = [SimpleNamespace(name=k.replace("_", "-"), accuracy=v) for k, v in accuracy.items()]
    return SimpleNamespace(n=n, rows=rows)


def _claim(claim_id: str):
    return next(c for c in RECIPE.claims if c.id == claim_id)


def test_both_pipelines_are_trained_and_evaluated():
    names = [s.name for s in RECIPE.stages]
    for tag in ("base", "robust", "base-pad", "robust-pad"):
        assert f"train-{tag}" in names and f"eval-{tag}" in names
    pad = RECIPE.stage("train-base-pad").argv(quick=False, out="o", checkpoints="c", seed=0)
    assert pad[pad.index("--fit") + 1] == "pad" and pad[pad.index("--epochs") + 1] == "20"
    assert "w0.25" in pad[1] and pad[-1] == "o/train-base-pad.json"
    ids = [c.id for c in RECIPE.claims]
    assert len(ids) == len(set(ids))
    assert {"004-B-resize-aa-0.5", "004-B-pad-decimate-2", "004-R-pad-resize-aa-0.25", "004-S-decimate-2",
            "004-A-strided", "004-A-nose"} <= set(ids)


def test_base_drop_reads_its_own_pipeline():
    results = {evaluation("base"): _eval(clean=0.9, decimate_2=0.3), evaluation("base-pad"): _eval(clean=0.9, decimate_2=0.8)}
    load = results.__getitem__
    resize, pad = _claim("004-B-decimate-2"), _claim("004-B-pad-decimate-2")
    assert resize.measure(load).value == pytest.approx(-0.6) and pad.measure(load).value == pytest.approx(-0.1)
    assert resize.rule(resize.measure(load)).verdict == REPRODUCED  # the card: -61.9 points, within 5
    assert pad.rule(pad.measure(load)).verdict == PARTLY  # same direction, not the size


def test_robust_gain_is_the_difference_of_drops():
    load = {evaluation("base"): _eval(clean=0.9, decimate_2=0.3), evaluation("robust"): _eval(clean=0.88, decimate_2=0.83)}.__getitem__
    m = _claim("004-R-decimate-2").measure(load)
    assert m.value == pytest.approx((0.83 - 0.88) - (0.3 - 0.9))
    assert m.low < m.value < m.high


def test_spread_is_the_mean_with_the_seeds_range():
    drops = {0: 0.5, 1: 0.4, 2: 0.2}
    load = {evaluation(f"w0.125-s{s}"): _eval(clean=0.9, decimate_2=0.9 - d) for s, d in drops.items()}.__getitem__
    m = _claim("004-S-decimate-2").measure(load)
    assert m.value == pytest.approx(-(0.5 + 0.4 + 0.2) / 3) and (m.low, m.high) == pytest.approx((-0.5, -0.2))
    assert m.n == 3


@pytest.mark.parametrize("strided_drop, verdict", [(-0.6, REPRODUCED), (-0.1, NOT_REPRODUCED), (-0.31, PARTLY)])
def test_ablation_verdict_follows_the_sign_of_the_gain(strided_drop, verdict):
    load = {evaluation("w0.125-s0"): _eval(clean=0.9, decimate_2=0.6),
            evaluation("w0.125-strided"): _eval(clean=0.9, decimate_2=0.9 + strided_drop)}.__getitem__
    claim = _claim("004-A-strided")
    assert claim.rule(claim.measure(load)).verdict == verdict

"""The verdict words at their boundaries: just inside gives the word, just outside does not."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, strategies as st

from nullsight.reproduce.stats import Measurement, auc, mean, proportion, spearman
from nullsight.reproduce.verdicts import (NOT_REPRODUCED, NOT_TESTABLE, PARTLY, REPRODUCED, at_least, at_most, exactly,
                                          near, significant)

EPS = 1e-9


def interval(low: float, high: float) -> Measurement:
    return Measurement((low + high) / 2, 100, "test", low=low, high=high)


def test_at_least_boundaries() -> None:
    rule = at_least(0.9)
    assert rule(interval(0.9, 0.95)).verdict == REPRODUCED
    assert rule(interval(0.9 - EPS, 0.95)).verdict == PARTLY
    assert rule(interval(0.8, 0.9 - EPS)).verdict == NOT_REPRODUCED
    assert rule(interval(0.8, 0.9)).verdict == PARTLY


def test_at_most_boundaries() -> None:
    rule = at_most(0.1)
    assert rule(interval(0.0, 0.1)).verdict == REPRODUCED
    assert rule(interval(0.0, 0.1 + EPS)).verdict == PARTLY
    assert rule(interval(0.1 + EPS, 0.2)).verdict == NOT_REPRODUCED


def test_near_boundaries() -> None:
    rule = near(0.5, 0.05)
    assert rule(interval(0.55, 0.6)).verdict == REPRODUCED
    assert rule(interval(0.55 + EPS, 0.6)).verdict == PARTLY
    assert rule(interval(-0.6, -0.5)).verdict == NOT_REPRODUCED


def test_significant_boundaries() -> None:
    rule = significant(direction=1)
    assert rule(Measurement(0.3, 50, "t", p=0.05)).verdict == REPRODUCED
    assert rule(Measurement(0.3, 50, "t", p=0.05 + EPS)).verdict == NOT_REPRODUCED
    assert rule(Measurement(-0.3, 50, "t", p=0.001)).verdict == NOT_REPRODUCED
    assert rule(Measurement(0.3, 50, "t")).verdict == NOT_TESTABLE


def test_exactly() -> None:
    assert exactly(752)(Measurement(752, 1, "rank")).verdict == REPRODUCED
    assert exactly(752)(Measurement(751, 1, "rank")).verdict == NOT_REPRODUCED


@pytest.mark.parametrize("rule", [at_least(0.5), at_most(0.5), near(0.5, 0.1), significant(), exactly(1)])
def test_no_measurement_is_not_testable(rule) -> None:  # noqa: ANN001
    assert rule(Measurement(math.nan, 0, "none")).verdict == NOT_TESTABLE


@given(st.integers(0, 200), st.integers(1, 200))
def test_proportion_interval_holds_the_estimate(k: int, extra: int) -> None:
    n = k + extra
    m = proportion(k, n)
    assert 0.0 <= m.low <= m.value <= m.high <= 1.0
    assert m.n == n


def test_proportion_matches_clopper_pearson_reference() -> None:
    """Clopper-Pearson from the beta quantiles (the textbook definition)."""
    from scipy.stats import beta

    k, n = 37, 50
    m = proportion(k, n)
    assert m.low == pytest.approx(beta.ppf(0.025, k, n - k + 1), abs=1e-9)
    assert m.high == pytest.approx(beta.ppf(0.975, k + 1, n - k), abs=1e-9)


def test_mean_interval_is_seeded_and_covers() -> None:
    values = [0.1 * i for i in range(30)]
    a, b = mean(values, seed=3), mean(values, seed=3)
    assert a == b
    assert a.low < a.value < a.high


def test_auc_of_separated_and_equal_samples() -> None:
    assert auc([0, 1, 2], [3, 4, 5]).value == 1.0
    assert auc([1, 1], [1, 1]).value == 0.5
    flipped = auc([3, 4, 5], [0, 1, 2])
    assert flipped.value == 0.0 and flipped.high <= 0.5


def test_spearman_detects_a_trend() -> None:
    m = spearman(list(range(10)), [2 * i for i in range(10)])
    assert m.value == pytest.approx(1.0) and m.p < 0.01

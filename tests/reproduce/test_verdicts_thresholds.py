""""reproduced" and "significant" at their thresholds (:mod:`nullsight.reproduce.verdicts`): just inside gives the
word, just outside does not."""

import math

import pytest

from nullsight.reproduce.stats import Measurement
from nullsight.reproduce.verdicts import (ALPHA, NOT_REPRODUCED, PARTLY, REPRODUCED, at_least, at_most, near,
                                          significant)

UP = lambda x: math.nextafter(x, math.inf)  # noqa: E731
DOWN = lambda x: math.nextafter(x, -math.inf)  # noqa: E731


def _m(low, high, value=None, p=None):
    value = (low + high) / 2 if value is None else value
    return Measurement(value=value, n=100, test="t", low=low, high=high, p=p)


def test_at_least_boundary():
    rule = at_least(0.9)
    assert rule(_m(0.9, 0.95)).verdict == REPRODUCED  # the interval's low end at the threshold
    assert rule(_m(DOWN(0.9), 0.95)).verdict == PARTLY
    assert rule(_m(0.8, DOWN(0.9))).verdict == NOT_REPRODUCED
    assert rule(_m(0.8, 0.9)).verdict == PARTLY


def test_at_most_boundary():
    rule = at_most(0.1)
    assert rule(_m(0.05, 0.1)).verdict == REPRODUCED
    assert rule(_m(0.05, UP(0.1))).verdict == PARTLY
    assert rule(_m(UP(0.1), 0.2)).verdict == NOT_REPRODUCED
    assert rule(_m(0.1, 0.2)).verdict == PARTLY


def test_near_boundary():
    rule = near(0.5, 0.1)
    assert rule(_m(0.2, 0.4)).verdict == REPRODUCED  # high end at target - tolerance
    assert rule(_m(0.2, DOWN(0.4))).verdict == PARTLY  # same sign, band missed
    assert rule(_m(0.6, 0.8)).verdict == REPRODUCED  # low end at target + tolerance
    assert rule(_m(UP(0.6), 0.8)).verdict == PARTLY
    assert rule(_m(-0.3, -0.1)).verdict == NOT_REPRODUCED


def test_near_direction_needs_the_whole_interval_off_zero():
    """"partly" says the direction holds: an interval that reaches zero shows no effect, whatever its centre."""
    assert near(0.5, 0.1)(_m(UP(0.0), 0.3)).verdict == PARTLY
    assert near(0.5, 0.1)(_m(0.0, 0.3)).verdict == NOT_REPRODUCED
    assert near(0.5, 0.1)(_m(-0.01, 0.3, value=0.2)).verdict == NOT_REPRODUCED
    assert near(-0.5, 0.1)(_m(-0.3, DOWN(0.0))).verdict == PARTLY
    assert near(-0.5, 0.1)(_m(-0.3, 0.0)).verdict == NOT_REPRODUCED
    assert "contains zero" in near(-0.47, 0.05)(_m(-0.008, 0.005, value=-0.001)).why


def test_near_direction_is_measured_against_its_null():
    """A share claimed as "most" has its null at 0.5, not 0: 0.3 is on the wrong side of it."""
    rule = near(0.783, 0.05, null=0.5)
    assert rule(_m(UP(0.5), 0.6)).verdict == PARTLY
    assert rule(_m(0.5, 0.6)).verdict == NOT_REPRODUCED
    assert rule(_m(0.2, 0.4)).verdict == NOT_REPRODUCED
    assert near(0.783, 0.05)(_m(0.2, 0.4)).verdict == PARTLY  # against zero the same interval keeps the direction
    assert "the null 0.5" in rule(_m(0.45, 0.55)).why


@pytest.mark.parametrize("direction", [0, 1])
def test_significant_boundary(direction):
    """Strict: ``p < alpha`` is significant, ``p = alpha`` is not."""
    rule = significant(direction)
    assert ALPHA == 0.05
    assert rule(_m(0.1, 0.3, value=0.2, p=ALPHA)).verdict == REPRODUCED
    assert rule(_m(0.1, 0.3, value=0.2, p=UP(ALPHA))).verdict == NOT_REPRODUCED
    assert significant(direction, alpha=0.01)(_m(0.1, 0.3, value=0.2, p=0.02)).verdict == NOT_REPRODUCED
    assert significant(-1)(_m(0.1, 0.3, value=0.2, p=0.001)).verdict == NOT_REPRODUCED  # the wrong direction

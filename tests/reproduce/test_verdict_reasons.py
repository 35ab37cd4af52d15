"""Every branch of every verdict rule (reproduce/verdicts.py) with the exact word and reason it prints: the claims
tables show both, so a reason that drifts (or a branch that is reached from the wrong side of its boundary) is a
visible regression."""

import math

import pytest

from nullsight.reproduce.stats import Measurement
from nullsight.reproduce.verdicts import (
    NOT_REPRODUCED,
    NOT_TESTABLE,
    PARTLY,
    REPRODUCED,
    at_least,
    at_most,
    exactly,
    near,
    significant,
)


def _m(value: float, low: float | None = None, high: float | None = None, n: int = 10,
       p: float | None = None) -> Measurement:
    return Measurement(value, n, "test", low=low, high=high, p=p)


NAN = _m(float("nan"))

CASES = [  # each rule as a factory: built inside the test, not at collection
    # at_least / at_most: inside, outside, straddling; an interval, a bare value, and a half-given interval
    (lambda: at_least(0.9), _m(0.95, 0.92, 0.97), REPRODUCED, "95% interval at or above 0.9"),
    (lambda: at_least(0.9), _m(0.8, 0.7, 0.85), NOT_REPRODUCED, "95% interval below 0.9"),
    (lambda: at_least(0.9), _m(0.9, 0.85, 0.95, n=40), PARTLY, "95% interval straddles 0.9: undecided at n = 40"),
    (lambda: at_least(0.9), _m(0.95), REPRODUCED, "value at or above 0.9"),
    (lambda: at_least(0.9), _m(0.95, low=0.5), REPRODUCED, "value at or above 0.9"),
    (lambda: at_least(0.9), _m(0.95, high=0.99), REPRODUCED, "value at or above 0.9"),
    (lambda: at_most(0.1), _m(0.05, 0.02, 0.08), REPRODUCED, "95% interval at or below 0.1"),
    (lambda: at_most(0.1), _m(0.2, 0.15, 0.25), NOT_REPRODUCED, "95% interval above 0.1"),
    (lambda: at_most(0.1), _m(0.1, 0.05, 0.15, n=7), PARTLY, "95% interval straddles 0.1: undecided at n = 7"),
    (lambda: at_least(0.9), NAN, NOT_TESTABLE, "no finite measurement"),
    (lambda: at_most(0.1), NAN, NOT_TESTABLE, "no finite measurement"),
    # near: meets the band, direction only, the null inside (at either end of the interval), the other side
    (lambda: near(0.3, 0.05), _m(0.31, 0.27, 0.36), REPRODUCED, "95% interval meets 0.3 +- 0.05"),
    (lambda: near(0.3, 0.05), _m(0.6, 0.5, 0.7), PARTLY,
     "95% interval on the paper's side of zero (direction), outside 0.3 +- 0.05 (size)"),
    (lambda: near(0.3, 0.05, null=0.1), _m(0.6, 0.5, 0.7), PARTLY,
     "95% interval on the paper's side of the null 0.1 (direction), outside 0.3 +- 0.05 (size)"),
    (lambda: near(0.3, 0.05), _m(0.1, 0.0, 0.2), NOT_REPRODUCED,
     "95% interval [0, 0.2] contains zero: no effect shown, the paper has 0.3"),
    (lambda: near(-0.3, 0.05), _m(-0.1, -0.2, 0.0), NOT_REPRODUCED,
     "95% interval [-0.2, 0] contains zero: no effect shown, the paper has -0.3"),
    (lambda: near(0.3, 0.05), _m(-0.5, -0.6, -0.4), NOT_REPRODUCED,
     "95% interval misses 0.3 +- 0.05 and lies on the other side of zero"),
    # a target on the null itself: no side to be on, so an interval off the band is not reproduced
    (lambda: near(0.0, 0.5), _m(1.5, 1.0, 2.0), NOT_REPRODUCED,
     "95% interval misses 0 +- 0.5 and lies on the other side of zero"),
    (lambda: near(0.3, 0.05), NAN, NOT_TESTABLE, "no finite measurement"),
    # significant: the p boundary, both directions, the default (no direction), and no p
    (lambda: significant(), _m(-0.4, p=0.01), REPRODUCED, "p = 0.01 <= 0.05"),
    (lambda: significant(), _m(0.4, p=0.05), REPRODUCED, "p = 0.05 <= 0.05"),
    (lambda: significant(direction=1), _m(0.4, p=0.01), REPRODUCED, "p = 0.01 <= 0.05"),
    (lambda: significant(direction=-1), _m(-0.4, p=0.01), REPRODUCED, "p = 0.01 <= 0.05"),
    (lambda: significant(direction=1), _m(-0.4, p=0.01), NOT_REPRODUCED,
     "significant (p = 0.01) but in the opposite direction"),
    (lambda: significant(direction=1), _m(0.0, p=0.01), NOT_REPRODUCED,
     "significant (p = 0.01) but in the opposite direction"),
    (lambda: significant(direction=-1), _m(0.4, p=0.01), NOT_REPRODUCED,
     "significant (p = 0.01) but in the opposite direction"),
    (lambda: significant(direction=1), _m(-0.4, p=0.05), NOT_REPRODUCED,  # p at alpha, the wrong way
     "significant (p = 0.05) but in the opposite direction"),
    (lambda: significant(), _m(0.4, p=0.06), NOT_REPRODUCED, "p = 0.06 > 0.05"),
    (lambda: significant(alpha=0.01), _m(0.4, p=0.02), NOT_REPRODUCED, "p = 0.02 > 0.01"),
    (lambda: significant(), _m(0.4), NOT_TESTABLE, "no p-value"),
    (lambda: significant(), _m(0.4, p=float("nan")), NOT_TESTABLE, "no p-value"),
    (lambda: significant(), NAN, NOT_TESTABLE, "no p-value"),
    # exactly
    (lambda: exactly(784), _m(784.0), REPRODUCED, "equals 784"),
    (lambda: exactly(784), _m(783.0), NOT_REPRODUCED, "783, not 784"),
    (lambda: exactly(784), NAN, NOT_TESTABLE, "no finite measurement"),
]


@pytest.mark.parametrize("rule, m, word, why", CASES)
def test_each_branch_prints_its_word_and_reason(rule, m, word, why) -> None:
    verdict = rule()(m)  # the rule is built here, inside the test, where a mutation tool attributes its lines
    assert (verdict.verdict, verdict.why) == (word, why)


def test_every_word_is_reached() -> None:
    assert {word for _, _, word, _ in CASES} == {REPRODUCED, PARTLY, NOT_REPRODUCED, NOT_TESTABLE}
    assert all(math.isnan(m.value) for _, m, word, why in CASES if why == "no finite measurement")

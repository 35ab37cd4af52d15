"""From a measurement and the paper's figure to a verdict word, by a rule stated with the claim.

The words: ``reproduced``, ``partly``, ``not reproduced``, ``not testable here``.  Each rule says which it gives
and when; a measurement without a finite value is ``not testable here``.

>>> from nullsight.reproduce.stats import proportion
>>> at_least(0.9)(proportion(99, 100)).verdict
'reproduced'
>>> at_least(0.9)(proportion(80, 100)).verdict
'not reproduced'
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

from .stats import Measurement

REPRODUCED, PARTLY, NOT_REPRODUCED, NOT_TESTABLE = "reproduced", "partly", "not reproduced", "not testable here"
VERDICTS = (REPRODUCED, PARTLY, NOT_REPRODUCED, NOT_TESTABLE)
ALPHA = 0.05
"""The one significance level: ``p <= ALPHA`` is significant (the verdicts and the masks summary alike)."""


@dataclass(frozen=True)
class Verdict:
    verdict: str
    why: str


Rule = Callable[[Measurement], Verdict]


def _finite(m: Measurement) -> bool:
    return m.value is not None and math.isfinite(m.value)


def _span(m: Measurement) -> tuple[float, float, str]:
    """The interval a rule compares (the value itself where there is none) and how to name it."""
    if m.low is not None and m.high is not None:
        return m.low, m.high, "95% interval"
    return m.value, m.value, "value"


def at_least(threshold: float) -> Rule:
    """The claim says "at least ``threshold``": reproduced when the whole 95% interval is at or above it, not
    reproduced when the whole interval is below it, partly when the interval straddles it (undecided at this n)."""
    return _bound(threshold, above=True)


def at_most(threshold: float) -> Rule:
    """The mirror of :func:`at_least`: "at most ``threshold``"."""
    return _bound(threshold, above=False)


def _bound(threshold: float, *, above: bool) -> Rule:
    def rule(m: Measurement) -> Verdict:
        if not _finite(m):
            return Verdict(NOT_TESTABLE, "no finite measurement")
        low, high, span = _span(m)
        inside, outside = (low >= threshold, high < threshold) if above else (high <= threshold, low > threshold)
        if inside:
            return Verdict(REPRODUCED, f"{span} at or {'above' if above else 'below'} {threshold:g}")
        if outside:
            return Verdict(NOT_REPRODUCED, f"{span} {'below' if above else 'above'} {threshold:g}")
        return Verdict(PARTLY, f"{span} straddles {threshold:g}: undecided at n = {m.n}")

    return rule


def near(target: float, tolerance: float, null: float = 0.0) -> Rule:
    """The paper's figure ``target``: reproduced when our interval meets ``target +- tolerance``; partly when the
    whole interval lies strictly on the paper's side of the ``null`` reference (zero for a difference, 0.5 for
    "most", chance for a label share) but misses that band: the direction holds, the size does not; not
    reproduced when the interval touches the null (no effect shown at this n) or lies on the other side."""

    def rule(m: Measurement) -> Verdict:
        if not _finite(m):
            return Verdict(NOT_TESTABLE, "no finite measurement")
        low, high, span = _span(m)
        if high >= target - tolerance and low <= target + tolerance:
            return Verdict(REPRODUCED, f"{span} meets {target:g} +- {tolerance:g}")
        reference = "zero" if null == 0 else f"the null {null:g}"
        if (low > null) if target > null else (high < null):
            return Verdict(PARTLY, f"{span} on the paper's side of {reference} (direction), outside {target:g} +- "
                                   f"{tolerance:g} (size)")
        if low <= null <= high:
            return Verdict(NOT_REPRODUCED, f"{span} [{low:.3g}, {high:.3g}] contains {reference}: no effect shown, "
                                           f"the paper has {target:g}")
        return Verdict(NOT_REPRODUCED, f"{span} misses {target:g} +- {tolerance:g} and lies on the other side of "
                                       f"{reference}")

    return rule


def significant(direction: int = 0, alpha: float = ALPHA) -> Rule:
    """The claim says there is an effect: reproduced when ``p <= alpha`` (a permutation test's rejection rule; and the
    statistic has the sign
    ``direction`` where one is given), not reproduced otherwise."""

    def rule(m: Measurement) -> Verdict:
        if not _finite(m) or m.p is None or not math.isfinite(m.p):
            return Verdict(NOT_TESTABLE, "no p-value")
        if m.p <= alpha and (direction == 0 or (m.value > 0) == (direction > 0)):
            return Verdict(REPRODUCED, f"p = {m.p:.2g} <= {alpha:g}")
        if m.p <= alpha:
            return Verdict(NOT_REPRODUCED, f"significant (p = {m.p:.2g}) but in the opposite direction")
        return Verdict(NOT_REPRODUCED, f"p = {m.p:.2g} > {alpha:g}")

    return rule


def exactly(target: float) -> Rule:
    """A count or a dimension the paper states: reproduced when ours equals it, not reproduced otherwise."""

    def rule(m: Measurement) -> Verdict:
        if not _finite(m):
            return Verdict(NOT_TESTABLE, "no finite measurement")
        if m.value == target:
            return Verdict(REPRODUCED, f"equals {target:g}")
        return Verdict(NOT_REPRODUCED, f"{m.value:g}, not {target:g}")

    return rule

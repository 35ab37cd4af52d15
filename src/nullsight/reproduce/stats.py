"""Our figure beside the paper's: a value with a 95% interval, or a test's p-value (scipy's estimators).

>>> m = proportion(95, 100)
>>> round(m.value, 2), round(m.low, 3), round(m.high, 3)
(0.95, 0.887, 0.984)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

CONFIDENCE = 0.95


@dataclass(frozen=True)
class Measurement:
    """Our figure: ``value`` with its interval ``[low, high]`` (95%) or a ``p`` value, how it was computed
    (``test``) and on how many samples (``n``).  ``note`` says what was measured where it is not obvious."""

    value: float
    n: int
    test: str
    low: float | None = None
    high: float | None = None
    p: float | None = None
    note: str = ""

    def shown(self) -> str:
        """``0.951 [0.887, 0.984]`` or ``0.12 (p = 0.003)``."""
        text = f"{self.value:.3g}"
        if self.low is not None and self.high is not None:
            text += f" [{self.low:.3g}, {self.high:.3g}]"
        if self.p is not None:
            text += f" (p = {self.p:.2g})"
        return text


def proportion(successes: int, n: int) -> Measurement:
    """A share with its exact (Clopper-Pearson) 95% interval."""
    from scipy.stats import binomtest

    if n <= 0:
        return Measurement(float("nan"), 0, "exact binomial")
    ci = binomtest(int(successes), int(n)).proportion_ci(confidence_level=CONFIDENCE, method="exact")
    return Measurement(successes / n, n, "Clopper-Pearson 95%", low=float(ci.low), high=float(ci.high))


def mean(values: Sequence[float], seed: int = 0) -> Measurement:
    """A mean with its BCa bootstrap 95% interval (2,000 resamples, seeded)."""
    from scipy.stats import bootstrap

    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if len(x) < 2:
        return Measurement(float(x.mean()) if len(x) else float("nan"), len(x), "mean (too few samples for an interval)")
    if np.ptp(x) == 0:
        return Measurement(float(x[0]), len(x), "mean (all samples equal)", low=float(x[0]), high=float(x[0]))
    ci = bootstrap((x,), np.mean, n_resamples=2000, confidence_level=CONFIDENCE, method="BCa",
                   random_state=np.random.default_rng(seed)).confidence_interval
    return Measurement(float(x.mean()), len(x), "bootstrap BCa 95%", low=float(ci.low), high=float(ci.high))


def auc(negatives: Sequence[float], positives: Sequence[float], seed: int = 0) -> Measurement:
    """ROC AUC (positives score higher) with a bootstrap 95% interval over both samples (2,000 resamples)."""
    neg, pos = np.asarray(negatives, float), np.asarray(positives, float)
    if len(neg) == 0 or len(pos) == 0:
        return Measurement(float("nan"), 0, "ROC AUC (a sample is empty)")
    rng = np.random.default_rng(seed)
    value = _auc(neg, pos)
    boot = [_auc(rng.choice(neg, len(neg)), rng.choice(pos, len(pos))) for _ in range(2000)]
    low, high = np.percentile(boot, [2.5, 97.5])
    return Measurement(value, len(neg) + len(pos), "ROC AUC, percentile bootstrap 95%", low=float(low), high=float(high))


def _auc(neg: np.ndarray, pos: np.ndarray) -> float:
    """Mann-Whitney U / (n_neg n_pos): the probability that a positive outscores a negative (ties count half)."""
    from scipy.stats import mannwhitneyu

    return float(mannwhitneyu(pos, neg).statistic / (len(pos) * len(neg)))


def spearman(x: Sequence[float], y: Sequence[float]) -> Measurement:
    """Spearman's rho with its two-sided p-value (H0: no monotone trend)."""
    from scipy.stats import spearmanr

    res = spearmanr(x, y)
    return Measurement(float(res.statistic), len(x), "Spearman rho, two-sided", p=float(res.pvalue))


def value(x: float, n: int = 1, test: str = "measured", note: str = "") -> Measurement:
    """A figure with no sampling error to report (an exact count, a deterministic residual)."""
    return Measurement(float(x), n, test, note=note)


def difference(p1: float, p2: float, n1: int, n2: int, note: str = "") -> Measurement:
    """``p1 - p2`` of two accuracies with a Wald 95% interval for independent samples (conservative for paired
    samples on the same images, whose positive correlation narrows the true interval)."""
    from scipy.stats import norm

    if n1 <= 0 or n2 <= 0:
        return Measurement(float("nan"), 0, "difference of proportions")
    se = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    z = float(norm.ppf(0.5 + CONFIDENCE / 2))
    d = p1 - p2
    return Measurement(d, min(n1, n2), "difference of proportions, Wald 95% (independent; conservative if paired)",
                       low=d - z * se, high=d + z * se, note=note)


def paired(before: Sequence[float], after: Sequence[float]) -> Measurement:
    """The median of ``after - before`` over pairs, with Wilcoxon's signed-rank two-sided p-value (H0: the
    differences are symmetric about zero)."""
    from scipy.stats import wilcoxon

    d = np.asarray(after, float) - np.asarray(before, float)
    d = d[np.isfinite(d)]
    if len(d) == 0:
        return Measurement(float("nan"), 0, "Wilcoxon signed-rank, two-sided (no pairs)")
    if not np.any(d):
        return Measurement(0.0, len(d), "Wilcoxon signed-rank, two-sided (all differences zero)", p=1.0)
    return Measurement(float(np.median(d)), len(d), "median paired difference, Wilcoxon signed-rank two-sided",
                       p=float(wilcoxon(d).pvalue))

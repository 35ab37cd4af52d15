"""Class-specific content in masks (seed 003, Sec. 4.7, Fig. 4): IdCor of M_E vs M_A over random subsets of k classes.

If masks of one class share frequencies, permuting pairs within few classes barely changes the joint intrinsic
dimension, so the mean IdCor should rise and its mean p-value fall as k grows.  Two things besides classes move
IdCor with k: the subsets grow with k, and TwoNN is biased at small N.  So each k also gets a size-matched control
(random pairs of the same sizes, classes ignored), and the trend is tested over every draw (Spearman rho).
"""

from __future__ import annotations

import numpy as np

from .correlation import TooFewDistinctPoints, idcor
from .result import KClassPoint, KClassTrend

MIN_PAIRS = 6
BOOTSTRAP = 2000


def _mean_interval(values: list[float], rng: np.random.Generator) -> tuple[float | None, float | None]:
    """Percentile-bootstrap 95% interval of the mean of a few draws (None for one draw)."""
    if len(values) < 2:
        return None, None
    v = np.asarray(values)
    means = v[rng.integers(0, len(v), size=(BOOTSTRAP, len(v)))].mean(1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(low), float(high)


def _control(essential: np.ndarray, adversarial: np.ndarray) -> float:
    """IdCor of random pairs, NaN where TwoNN has too few distinct points (duplicate masks) to estimate."""
    try:
        return idcor(essential, adversarial, 0).coefficient
    except ValueError:
        return float("nan")


def kclass_points(essential: np.ndarray, adversarial: np.ndarray, labels: np.ndarray, ks: list[int], draws: int = 5,
                  permutations: int = 100, seed: int = 0) -> list[KClassPoint]:
    """For each k: ``draws`` random sets of k classes (one when k is every class); IdCor of the pairs in them, its
    shuffled-pair null, and IdCor of as many random pairs (the size-matched control)."""
    classes = np.unique(labels)
    rng = np.random.default_rng(seed)
    points = []
    for k in ks:
        if k > len(classes):
            continue
        n_draws = 1 if k == len(classes) else draws
        results, sizes, controls = [], [], []
        for d in range(n_draws):
            subset = rng.choice(classes, size=k, replace=False)
            rows = np.isin(labels, subset)
            if rows.sum() < MIN_PAIRS:
                continue
            try:
                results.append(idcor(essential[rows], adversarial[rows], permutations, seed + d))
            except TooFewDistinctPoints:  # a subset of near-identical masks: no dimension to estimate
                continue
            sizes.append(int(rows.sum()))
            if sizes[-1] < len(labels):
                pick = rng.choice(len(labels), size=sizes[-1], replace=False)
                try:
                    controls.append(_control(essential[pick], adversarial[pick]))
                except TooFewDistinctPoints:
                    controls.append(float("nan"))
            else:
                controls.append(results[-1].coefficient)  # every pair: the control is the set itself
        if not results:
            continue
        values = [r.coefficient for r in results]
        p_values = [r.p_value for r in results]
        low, high = _mean_interval(values, rng)
        nulls = [r.null for r in results if r.null is not None]
        points.append(KClassPoint(k, len(results), float(np.mean(values)), float(np.mean(p_values)),
                                  float(np.mean(sizes)), values, p_values, low, high,
                                  float(np.mean([s.low for s in nulls])) if nulls else None,
                                  float(np.mean([s.high for s in nulls])) if nulls else None,
                                  float(np.nanmean(controls)) if np.isfinite(controls).any() else None, controls))
    return points


def spearman_over_draws(points: list[KClassPoint], control: bool = False) -> tuple[float | None, float | None]:
    """Spearman rho of IdCor against k over every draw, two-sided p (None with fewer than 3 draws or one k)."""
    from scipy.stats import spearmanr

    pairs = [(p.k, v) for p in points for v in (p.control if control else p.idcor) if v is not None and np.isfinite(v)]
    ks, ys = [k for k, _ in pairs], [v for _, v in pairs]
    if len(ys) < 3 or len(set(ks)) < 2:
        return None, None
    res = spearmanr(ks, ys)
    rho, p = float(res.statistic), float(res.pvalue)
    return (rho, p) if np.isfinite(rho) else (None, None)


def kclass_trend(attack: str, essential: np.ndarray, adversarial: np.ndarray, labels: np.ndarray, ks: list[int],
                 draws: int = 5, permutations: int = 100, seed: int = 0) -> KClassTrend:
    """Fig. 4 for one attack: the points and the trend's Spearman test (and the control's)."""
    points = kclass_points(essential, adversarial, labels, ks, draws, permutations, seed)
    return KClassTrend(attack, points, *spearman_over_draws(points), *spearman_over_draws(points, control=True))

"""Class-specific content in masks (seed 003, Sec. 4.7, Fig. 4): IdCor of M_E vs M_A over random subsets of k classes.

If masks of one class share frequencies, permuting pairs within few classes barely changes the joint intrinsic
dimension, so the mean IdCor should rise and its mean p-value fall as k grows.
"""

from __future__ import annotations

import numpy as np

from .correlation import idcor
from .result import KClassPoint

MIN_PAIRS = 6


def kclass_trend(essential: np.ndarray, adversarial: np.ndarray, labels: np.ndarray, ks: list[int], draws: int = 5,
                 permutations: int = 100, seed: int = 0) -> list[KClassPoint]:
    """For each k: ``draws`` random sets of k classes (one when k is every class); IdCor of the pairs in them."""
    classes = np.unique(labels)
    rng = np.random.default_rng(seed)
    points = []
    for k in ks:
        if k > len(classes):
            continue
        n_draws = 1 if k == len(classes) else draws
        coefficients, p_values, sizes = [], [], []
        for d in range(n_draws):
            subset = rng.choice(classes, size=k, replace=False)
            rows = np.isin(labels, subset)
            if rows.sum() < MIN_PAIRS:
                continue
            result = idcor(essential[rows], adversarial[rows], permutations, seed + d)
            coefficients.append(result.coefficient)
            p_values.append(result.p_value)
            sizes.append(int(rows.sum()))
        if coefficients:
            points.append(KClassPoint(k, len(coefficients), float(np.mean(coefficients)), float(np.mean(p_values)),
                                      float(np.mean(sizes))))
    return points

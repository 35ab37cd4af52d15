"""Measures built on margins and hull distances (seed 002, Sec. 7.2): ambiguity, learned regions, support labels.

Pure functions on tensors; distances in feature space are Euclidean.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch


def ambiguity(d_f_min: torch.Tensor, d_h: torch.Tensor) -> torch.Tensor:
    """``d^{f-h} = d^{f,min} - d^h`` (Eq. 26): negative = close to a boundary, far from the training hull."""
    return d_f_min.double() - d_h.double()


@dataclass
class UnionOfRegions:
    """How the guaranteed balls ``B(x_i)`` of training samples cover other samples (Sec. 7.2)."""

    inside_union: torch.Tensor  # (Q,) bool: query inside some training ball
    counts: torch.Tensor  # (N,) other samples (training + queries) inside each training ball

    @property
    def share_inside(self) -> float:
        return float(self.inside_union.double().mean()) if self.inside_union.numel() else float("nan")

    @property
    def share_balls_with_other(self) -> float:
        return float((self.counts > 0).double().mean())


def union_of_regions(centres: torch.Tensor, radii: torch.Tensor, queries: torch.Tensor,
                     chunk_size: int = 1024) -> UnionOfRegions:
    """Which ``queries`` lie in ``U_i B(centres_i, radii_i)`` (open balls), and per ball how many other samples.

    ``centres`` (N, f) with radii (N,) (``d^{f,min}``); counts include the other centres and the queries.
    Streams ``chunk_size`` centres at a time: memory ``O(chunk_size * (N + Q))``.
    """
    c, q = centres.double(), queries.double()
    everyone = torch.cat([c, q])
    sq_all = (everyone * everyone).sum(1)
    inside = torch.zeros(q.shape[0], dtype=torch.bool)
    counts = torch.zeros(c.shape[0], dtype=torch.long)
    r = radii.double()
    for start in range(0, c.shape[0], chunk_size):
        block = c[start:start + chunk_size]
        d2 = (block * block).sum(1)[:, None] + sq_all[None, :] - 2 * block @ everyone.T
        within = d2 < (r[start:start + chunk_size, None] ** 2)
        rows = torch.arange(block.shape[0])
        within[rows, start + rows] = False  # a ball does not count its own centre
        counts[start:start + chunk_size] = within.sum(1)
        inside |= within[:, c.shape[0]:].any(0)
    return UnionOfRegions(inside, counts)


def support_label_agreement(support: torch.Tensor, weights: torch.Tensor, train_labels: torch.Tensor,
                            labels: torch.Tensor) -> dict[str, float]:
    """Share of support images (nonzero ``alpha``) carrying the query's label: by count and by ``alpha`` mass."""
    on = support >= 0
    same = (train_labels[support.clamp_min(0)] == labels[:, None]) & on
    by_count = float(same.sum().double() / on.sum().clamp_min(1))
    by_weight = float((weights * same).sum() / (weights * on).sum().clamp_min(1e-300))
    return {"by_count": by_count, "by_weight": by_weight, "mean_support_size": float(on.sum(1).double().mean())}


def detection_scores(clean_margin: torch.Tensor, adversarial_margin: torch.Tensor, fpr: float = 0.05) -> dict[str, float]:
    """Margin-threshold detection: small ``d^{f,min}`` flags an adversarial input.

    ROC AUC of the score ``-d^{f,min}`` (adversarial positive), and the detection rate at the threshold
    that flags ``fpr`` of the clean inputs.
    """
    from sklearn.metrics import roc_auc_score

    clean, adv = clean_margin.double(), adversarial_margin.double()
    scores = torch.cat([-clean, -adv]).numpy()
    truth = [0] * clean.numel() + [1] * adv.numel()
    auc = float(roc_auc_score(truth, scores)) if clean.numel() and adv.numel() else float("nan")
    threshold = float(torch.quantile(clean, fpr)) if clean.numel() else float("nan")
    rate = float((adv < threshold).double().mean()) if adv.numel() else float("nan")
    return {"auc": auc, "threshold": threshold, "detection_rate": rate, "fpr": fpr,
            "clean_margin_median": float(clean.median()) if clean.numel() else float("nan"),
            "adversarial_margin_median": float(adv.median()) if adv.numel() else float("nan")}

"""Whether seed 003's statistics mean anything (issue 20): TwoNN's convergence check and Gaussian reference, the
shuffled-pair nulls of SVCCA and IdCor, and the Fig. 4 trend test, on data whose answer is known."""

import numpy as np
import pytest

from nullsight.masks.correlation import (canonical_correlations, dimension_check, dimension_checks, idcor,
                                         idcor_preprocess,
                                         sq_distances, svcca, svcca_null, twonn)
from nullsight.masks.kclass import kclass_trend, spearman_over_draws
from nullsight.masks.result import KClassPoint


def _check(x, seed=0):
    return dimension_check([x], sq_distances(x), twonn(x), seed)


def test_twonn_converges_on_gaussian_data_of_known_dimension():
    """d = 6 Gaussian directions in R^40, N = 2,000: TwoNN finds 6 (within 10%), and N/2 agrees."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2000, 6)) @ rng.standard_normal((6, 40))
    dim = _check(x)
    assert dim.full == pytest.approx(6, rel=0.1)
    assert dim.converged and dim.n == 2000 and dim.ambient == 40
    assert dim.gaussian > 3 * dim.full  # full-rank Gaussian data of the same shape look far higher-dimensional


@pytest.mark.parametrize("seed", range(5))
def test_not_converged_on_tiny_sets(seed):
    """24 points of a 100-dimensional Gaussian: TwoNN is far below 100 and moves by more than 10% from N/2 to N."""
    x = np.random.default_rng(seed).standard_normal((24, 100))
    dim = _check(x, seed)
    assert not dim.converged
    assert dim.full < 60


def test_gaussian_reference_is_what_gaussian_data_give():
    """On i.i.d. Gaussian data the reference is the same estimator on data of the same law: within sampling noise."""
    x = np.random.default_rng(7).standard_normal((1000, 20))
    dim = _check(x, seed=3)
    assert dim.gaussian == pytest.approx(dim.full, rel=0.1)


def test_dimension_checks_cover_both_sets_and_the_joint():
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((60, 12)), rng.standard_normal((60, 9))
    dx, dy, dj = dimension_checks(x, y)
    assert (dx.ambient, dy.ambient, dj.ambient) == (12, 9, 21)
    assert dx.full == pytest.approx(twonn(idcor_preprocess(x)), rel=1e-9)  # IdCor's own estimate of X
    assert all(d.n == 60 for d in (dx, dy, dj))


def test_canonical_correlations_of_independent_sets_follow_theory():
    """Random independent subspaces of dimensions p, q in R^(N-1): E[sum rho^2] = p q / (N - 1) exactly."""
    rng = np.random.default_rng(0)
    n, p = 400, 100
    totals = [np.sum(canonical_correlations(rng.standard_normal((n, p)), rng.standard_normal((n, p))) ** 2)
              for _ in range(5)]
    assert np.mean(totals) == pytest.approx(p * p / (n - 1), rel=0.03)


def test_svcca_null_holds_independent_sets_and_excludes_related_ones():
    rng = np.random.default_rng(2)
    x, z = rng.standard_normal((400, 30)), rng.standard_normal((400, 30))
    null = svcca_null(x, z, draws=40)
    assert null.low <= svcca(x, z) <= null.high  # independent: indistinguishable from shuffled pairs
    # and far from 0: with p = 30 kept components of N = 400, E[mean rho^2] = p / (N - 1), so mean rho sits below
    # its root (Jensen) but near it (at p = N / 4 this is the 0.44 for unrelated sets)
    assert 0.6 * np.sqrt(30 / 399) < null.mean <= np.sqrt(30 / 399)
    y = x @ rng.standard_normal((30, 30)) + 0.3 * rng.standard_normal((400, 30))
    assert svcca(x, y) > svcca_null(x, y, draws=40).high


def _related(n, seed, related=True):
    rng = np.random.default_rng(seed)
    t = rng.uniform(size=(n, 3))
    s = t if related else rng.uniform(size=(n, 3))
    a = np.concatenate([np.sin(3 * t), t**2], 1) @ rng.normal(size=(6, 20))
    b = np.concatenate([np.cos(2 * s), s], 1) @ rng.normal(size=(6, 20))
    return a, b


def test_idcor_null_excludes_related_pairs_and_holds_independent_ones():
    strong = idcor(*_related(200, 0), n_permutations=100)
    assert strong.coefficient > strong.null.high and strong.joint_null.mean > strong.id_joint
    none = idcor(*_related(200, 0, related=False), n_permutations=100)
    assert none.null.low <= none.coefficient <= none.null.high
    assert strong.null.draws == none.null.draws == 100


def test_idcor_without_permutations_has_no_null():
    result = idcor(*_related(40, 0), n_permutations=0)
    assert result.null is None and result.joint_null is None and np.isnan(result.p_value)


def test_spearman_over_draws():
    points = [KClassPoint(k, 2, 0.0, 0.5, 10.0, idcor=[0.1 * k, 0.1 * k + 0.01]) for k in range(1, 6)]
    rho, p = spearman_over_draws(points)
    assert rho > 0.95 and p < 0.01
    assert spearman_over_draws(points[:1]) == (None, None)  # one k: no trend to test


def test_kclass_trend_points_intervals_and_control():
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(6), 30)
    e = rng.standard_normal((180, 3)) @ rng.standard_normal((3, 20))
    a = np.tanh(e) + 0.05 * rng.standard_normal((180, 20))
    trend = kclass_trend("t", e, a, labels, [1, 2, 3, 6, 9], draws=3, permutations=20)
    assert [q.k for q in trend.points] == [1, 2, 3, 6]  # k = 9 exceeds the classes
    for q in trend.points[:-1]:
        assert q.draws == len(q.idcor) == len(q.p_values) == len(q.control) == 3
        assert q.idcor_low <= q.idcor_mean <= q.idcor_high
        assert q.null_low < q.null_high < q.idcor_mean  # pairs related image by image: above the shuffled null
    every = trend.points[-1]
    assert every.draws == 1 and every.idcor_low is None and every.control == every.idcor  # the control is the set
    assert trend.rho is not None and -1 <= trend.rho <= 1 and 0 <= trend.p_value <= 1
    assert trend.control_rho is not None


def test_twonn_of_duplicate_points_is_a_clear_error_and_kclass_skips_such_subsets():
    from nullsight.masks.correlation import TooFewDistinctPoints, twonn
    from nullsight.masks.kclass import kclass_points

    with pytest.raises(TooFewDistinctPoints, match="fewer than 2 are left once duplicate points are dropped"):
        twonn(np.ones((8, 5)))
    rng = np.random.default_rng(0)
    essential, adversarial = rng.random((40, 16)), rng.random((40, 16))
    labels = np.repeat(np.arange(4), 10)
    essential[labels == 3] = 1.0  # class 3: identical masks, as an all-kept essential set gives
    adversarial[labels == 3] = 0.5
    points = kclass_points(essential, adversarial, labels, ks=[1], draws=4, permutations=5, seed=0)
    assert points and points[0].k == 1 and 0 < points[0].draws < 4  # the draws of {3} skipped, not crashed on

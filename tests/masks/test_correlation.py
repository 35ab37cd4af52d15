import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from nullsight.errors import InvalidInputError
from nullsight.masks.correlation import (cosine_similarity, idcor, idcor_preprocess, permutation_ids,
                                          permutation_ids_loop, sq_distances, svcca, twonn, twonn_from_sq_distances)


def _embedded(n, d, ambient, seed):
    """Points uniform in a d-dimensional flat torus embedded isometrically in R^ambient (intrinsic dimension d)."""
    rng = np.random.default_rng(seed)
    angles = rng.uniform(0, 2 * np.pi, size=(n, d))
    flat = np.concatenate([np.cos(angles), np.sin(angles)], axis=1)
    q, _ = np.linalg.qr(rng.normal(size=(ambient, 2 * d)))
    return flat @ q.T


@pytest.mark.parametrize("d", [2, 4])
def test_twonn_recovers_known_intrinsic_dimension(d):
    x = _embedded(1500, d, 30, seed=d)
    assert twonn(x) == pytest.approx(d, rel=0.15)


def test_vectorised_twonn_matches_scikit_dimension():
    x = _embedded(300, 3, 20, seed=0)
    assert twonn_from_sq_distances(sq_distances(x)).item() == pytest.approx(twonn(x), rel=1e-9)


def test_vectorised_permutations_match_the_loop():
    rng = np.random.default_rng(0)
    x, y = idcor_preprocess(rng.normal(size=(60, 12))), idcor_preprocess(rng.normal(size=(60, 9)))
    perms = torch.stack([torch.randperm(60, generator=torch.Generator().manual_seed(i)) for i in range(6)])
    fast = permutation_ids(sq_distances(x), sq_distances(y), perms, chunk=4)
    assert torch.allclose(fast, permutation_ids_loop(x, y, perms), rtol=1e-9)


def _related(n, seed, related=True):
    rng = np.random.default_rng(seed)
    t = rng.uniform(size=(n, 3))
    s = t if related else rng.uniform(size=(n, 3))
    a = np.concatenate([np.sin(3 * t), t**2], 1) @ rng.normal(size=(6, 20))
    b = np.concatenate([np.cos(2 * s), s], 1) @ rng.normal(size=(6, 20))
    return a, b


def test_idcor_low_p_for_correlated_high_p_for_independent():
    a, b = _related(200, 0, related=True)
    strong = idcor(a, b, n_permutations=100)
    a, b = _related(200, 0, related=False)
    none = idcor(a, b, n_permutations=100)
    assert strong.p_value <= 0.02 and strong.coefficient > 0.7
    assert none.p_value > 0.1 and none.coefficient < strong.coefficient


def test_svcca_high_for_linear_relation_low_for_independent():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(200, 10))
    assert svcca(x, x @ rng.normal(size=(10, 15))) > 0.95
    assert svcca(x, rng.normal(size=(200, 15))) < 0.4


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 1000), scale=st.floats(0.1, 10))
def test_cosine_is_one_for_scaled_copies_and_bounded(seed, scale):
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(size=(8, 5)), rng.normal(size=(8, 5))
    assert np.allclose(cosine_similarity(x, scale * x), 1)
    c = cosine_similarity(x, y)
    assert np.all(np.abs(c) <= 1 + 1e-12)


def test_exception_on_unpaired_sets():
    with pytest.raises(InvalidInputError, match="same number of rows"):
        idcor(np.zeros((10, 3)), np.zeros((9, 3)))
    with pytest.raises(InvalidInputError, match="same dimension"):
        cosine_similarity(np.ones((5, 3)), np.ones((5, 4)))


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_canonical_correlations_invariant_to_invertible_maps(seed):
    from nullsight.masks.correlation import canonical_correlations

    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=(80, 5)), rng.normal(size=(80, 4))
    a, b = rng.normal(size=(5, 5)) + 3 * np.eye(5), rng.normal(size=(4, 4)) + 3 * np.eye(4)
    assert np.allclose(canonical_correlations(x, y), canonical_correlations(x @ a, y @ b + 1.0), atol=1e-8)
    assert np.allclose(canonical_correlations(x, x @ a), 1.0)

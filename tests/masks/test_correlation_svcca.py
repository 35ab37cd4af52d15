"""SVCCA's variance threshold (Raghu et al. 2017; seed 003, Table 1): ``keep = 0.99`` by default.

Data with a known spectrum: ``X = [10 a, 2 b]`` and ``Y = [10 a, 2 c]`` with ``a, b, c`` orthonormal and centred.
The first component holds 100/104 = 96% of the variance: keeping 0.99 keeps both components, whose canonical
correlations are 1 (a with a) and 0 (b with c), mean 0.5; keeping 0.9 keeps ``a`` alone, correlation 1.
"""

import numpy as np
import pytest

from nullsight.masks.correlation import svcca


def _known_spectrum(n: int = 40, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(n, 3))
    z -= z.mean(0)
    q, _ = np.linalg.qr(z)  # orthonormal, still centred (the span of centred columns)
    a, b, c = q.T
    return np.stack([10 * a, 2 * b], 1), np.stack([10 * a, 2 * c], 1)


def test_default_keeps_99_percent_of_the_variance():
    x, y = _known_spectrum()
    assert svcca(x, y) == pytest.approx(0.5, abs=1e-9)  # pinned: both components kept
    assert svcca(x, y, keep=0.99) == svcca(x, y)
    assert svcca(x, y, keep=0.9) == pytest.approx(1.0, abs=1e-9)


@pytest.mark.parametrize("keep, expected", [(100 / 104 - 1e-9, 1.0), (100 / 104 + 1e-9, 0.5)])
def test_keep_boundary_at_the_first_component_share(keep, expected):
    """Just below the first component's share one component suffices; just above, a second is needed."""
    x, y = _known_spectrum()
    assert svcca(x, y, keep=keep) == pytest.approx(expected, abs=1e-9)

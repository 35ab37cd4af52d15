"""Exact feature collisions: the Null-space search of seed 000 (Definition 4, Remark 2, Eq. 6), verified.

``NullSpaceSearch(model, mean, std, input_size, beta=...)(images)`` builds
``x_hat = x + P`` with ``P`` in the null space of the first linear operator the
input meets and proves (or disproves) the collision with fp32 and fp64 forward
passes.  See :mod:`nullsight.collisions.search` for the pieces.
"""

from ..lazy import lazy_exports

_EXPORTS = {
    "ATTACKS": "..attacks",
    "AttackResult": "..attacks",
    "run_attack": "..attacks",
    "NullSpace": ".conv_null",
    "null_space_for": ".conv_null",
    "periodic_spectrum": ".conv_null",
    "FirstLayer": ".first_layer",
    "find_first_layer": ".first_layer",
    "PixelSpace": ".pixel",
    "CollisionResult": ".result",
    "SweepPoint": ".result",
    "SweepResult": ".result",
    "NullSpaceSearch": ".search",
    "EXACT_RTOL": ".verify",
    "Verifier": ".verify",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

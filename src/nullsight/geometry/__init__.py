"""Feature-space geometry of a classifier's last hidden layer (seed 002).

Flip points and margins (Eqs. 5-14), projection onto the training set's convex
hull (Eqs. 20-25), the ambiguity indicator (Eq. 26), union of learned regions,
support-label agreement, adversarial detection by margins, inverse mapping
(Eqs. 15-18) and the two-point equidistant projection (Appendix A).
"""

from ..lazy import lazy_exports

_EXPORTS = {
    "FlipPoints": ".flip",
    "FlipPointSolver": ".flip",
    "lipschitz_constant": ".flip",
    "HullProjection": ".hull",
    "HullProjector": ".hull",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

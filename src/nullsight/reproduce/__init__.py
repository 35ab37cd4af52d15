"""Reproduction of the seeds: declarative recipes, a cached stage runner, and claims tables with verdicts."""

from ..lazy import lazy_exports

_EXPORTS = {
    "Claim": ".recipe",
    "Recipe": ".recipe",
    "Stage": ".recipe",
    "ClaimsResult": ".result",
    "run_recipe": ".runner",
    "recipes": ".registry",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

"""The seeds' recipes, found through the capabilities that declare them (never listed here)."""

from __future__ import annotations

from ..capabilities import discover, load_object
from ..errors import InvalidInputError
from .recipe import Recipe


def recipes() -> dict[str, Recipe]:
    """Every declared recipe by its seed (``"000"`` ... ``"004"``), in seed order."""
    found: dict[str, Recipe] = {}
    for capability in discover():
        if capability.recipe:
            recipe = load_object(capability.recipe)
            if not isinstance(recipe, Recipe):
                raise InvalidInputError(f"{capability.recipe} must be a nullsight.reproduce.Recipe")
            found[recipe.seed] = recipe
    return dict(sorted(found.items()))


def select(names: list[str]) -> list[Recipe]:
    """The recipes named (``all`` for every one); an unknown seed names the known ones."""
    known = recipes()
    if not names or names == ["all"]:
        return list(known.values())
    out = []
    for name in names:
        key = name.zfill(3) if name.isdigit() else name
        if key not in known:
            raise InvalidInputError(f"no recipe for seed {name!r} (seeds: {', '.join(known)}, or all)")
        out.append(known[key])
    return out

"""The capability contract: a capability is one package that declares itself once and is found, never listed.

A capability (audit, collisions, stego, ...) is a package with a ``capability.py`` holding one
:class:`Capability`: its name, the modules that register its result kinds, report sections and CLI
commands, its docs page, its fixture recipe and the paper's reference numbers.  nullsight finds

- its own capabilities by their ``capability.py`` file in ``nullsight/<name>/`` (as pytest finds its
  built-in plugins in its own package: nothing to list), and
- everyone else's through the entry-point group ``nullsight.capabilities`` (as pytest finds ``pytest11``
  plugins): a third-party package adds ``[project.entry-points."nullsight.capabilities"]
  mine = "mypkg.capability:CAPABILITY"`` to its pyproject and touches nothing in nullsight.

Declarations import nothing heavy (no torch): ``nullsight --help`` discovers every capability.

>>> names = [c.name for c in discover()]
>>> "collisions" in names and "masks" in names
True
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

from .errors import InvalidInputError

ENTRY_POINT_GROUP = "nullsight.capabilities"
DECLARATION = "capability"  # the module name that declares a built-in capability: nullsight/<name>/capability.py


@dataclass(frozen=True)
class Capability:
    """What a capability declares, once.

    Args:
        name: the short name (``"masks"``); also the name of its CLI group where it has one.
        title: a heading for the report and the docs (``"Fourier masks"``).
        summary: one sentence: what it finds or measures.
        package: the importable package that holds it (its docs page lives there).
        seed: the seed file it implements (``"003"``), or ``None``.
        results: modules whose import registers its result kinds (``@register_result``).
        report: modules whose import registers its report sections (``@section_for``).
        cli: modules whose import registers its commands on :data:`nullsight.cli.app.app`, or
            ``"module:attr"`` naming a ``typer.Typer`` that is added as the group ``name``.
        reference: ``"module:attr"`` of the paper's reference numbers (read by the report and the docs).
        fixtures: shell lines that make one small, real result of each of its kinds (``$NS`` is the CLI,
            ``$TMP`` a scratch folder, ``$OUT`` the fixtures folder); ``make fixtures`` runs them.
        requires: names of capabilities whose modules it may import (its declared dependencies).
        extends: modules whose import registers into the shared layers' registries (an augmentation of
            ``nullsight train``, a training reference): how a capability adds to a lower layer that never imports it.
        recipe: ``"module:attr"`` of the seed's reproduction recipe (:mod:`nullsight.reproduce`), or ``None``.
        docs: the docs page's file name inside ``package`` (markdown).
    """

    name: str
    title: str
    summary: str
    package: str
    seed: str | None = None
    results: tuple[str, ...] = ()
    report: tuple[str, ...] = ()
    cli: tuple[str, ...] = ()
    reference: str | None = None
    fixtures: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    recipe: str | None = None
    extends: tuple[str, ...] = ()
    docs: str = "docs.md"
    source: str = field(default="nullsight", compare=False)
    """Where it was found: ``"nullsight"`` (built in) or the distribution that declared the entry point."""

    def docs_page(self) -> Path | None:
        """The capability's markdown page, or ``None`` where it has none."""
        spec = importlib.util.find_spec(self.package)
        if spec is None or not spec.submodule_search_locations:
            return None
        page = Path(list(spec.submodule_search_locations)[0]) / self.docs
        return page if page.is_file() else None

    def reference_numbers(self) -> Any:
        """The paper's reference numbers (whatever object ``reference`` names), or ``None``."""
        return load_object(self.reference) if self.reference else None


def load_object(path: str) -> Any:
    """``"package.module:attr"`` -> the attribute; ``"package.module"`` -> the module."""
    module_name, _, attr = path.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, attr) if attr else module


@lru_cache(maxsize=1)
def discover() -> tuple[Capability, ...]:
    """Every capability: nullsight's own, then the entry points' (sorted by name; the first of a name wins)."""
    found: dict[str, Capability] = {}
    for capability in (*_builtin(), *_from_entry_points()):
        found.setdefault(capability.name, capability)
    return tuple(sorted(found.values(), key=lambda c: c.name))


def get(name: str) -> Capability:
    """The capability called ``name``; an unknown name raises with the known ones."""
    for capability in discover():
        if capability.name == name:
            return capability
    known = ", ".join(c.name for c in discover())
    raise InvalidInputError(f"no capability named {name!r} (known: {known})")


def import_all(attribute: str) -> None:
    """Import every module that every capability lists under ``attribute`` (``results``, ``report``, ``cli``)."""
    for capability in discover():
        for module in getattr(capability, attribute):
            importlib.import_module(module.partition(":")[0])


def _builtin() -> list[Capability]:
    root = Path(__file__).parent
    found = []
    for declaration in sorted(root.glob(f"*/{DECLARATION}.py")):
        module = importlib.import_module(f"{__package__}.{declaration.parent.name}.{DECLARATION}")
        found.append(_checked(getattr(module, "CAPABILITY", None), module.__name__))
    return found


def _from_entry_points() -> list[Capability]:
    found = []
    for entry in metadata.entry_points(group=ENTRY_POINT_GROUP):
        try:
            declared = entry.load()
        except Exception as exc:  # a broken plugin is named, not a crash of every command
            raise InvalidInputError(f"the capability entry point {entry.name!r} ({entry.value}) failed to load: "
                                    f"{type(exc).__name__}: {exc}") from None
        capability = _checked(declared, entry.value)
        distribution = getattr(entry, "dist", None)
        found.append(Capability(**{**capability.__dict__, "source": getattr(distribution, "name", entry.value)}))
    return found


def _checked(declared: object, where: str) -> Capability:
    if not isinstance(declared, Capability):
        raise InvalidInputError(f"{where} must declare CAPABILITY = nullsight.capabilities.Capability(...), "
                                f"got {type(declared).__name__}")
    return declared

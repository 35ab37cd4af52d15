"""Lazy package attributes (PEP 562): a package names what it exports and from where, and imports it on first use.

Capability packages export their public verbs this way, so that discovering a capability (``nullsight --help``)
never imports torch.

>>> getattr_, dir_ = lazy_exports("demo", {"sqrt": "math"})
>>> getattr_("sqrt")(4.0)
2.0
"""

from __future__ import annotations

from importlib import import_module
from typing import Callable


def lazy_exports(package: str, exports: dict[str, str]) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for ``package``: ``exports`` maps a name to the module that defines it
    (relative names such as ``".core"`` are resolved against ``package``)."""

    def __getattr__(name: str) -> object:
        if name in exports:
            return getattr(import_module(exports[name], package), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted(exports)

    return __getattr__, __dir__

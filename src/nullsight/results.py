"""Typed results: one dataclass per kind of result, its JSON is ``to_dict()`` and loads back with ``from_dict()``.

Every capability returns a dataclass that subclasses :class:`Result`, names its
``KIND`` and ``SCHEMA_VERSION``, and is registered with :func:`register_result`::

    @register_result
    @dataclass
    class MaskResult(Result):
        KIND: ClassVar[str] = "masks"
        n: int
        ...

A result inherits its provenance (model, data, split, seed, versions, command,
created: :class:`~nullsight.provenance.Provenance`) as keyword-only fields, and
declares none of them again; :func:`~nullsight.provenance.stamp` fills them where
the result is saved.

Fields hold JSON-ready values (numbers, strings, lists, dicts) or nested
dataclasses; a field declared with ``field(metadata=NOT_SERIALISED)`` (tensors
for figures) is left out of the JSON.  The report finds the section builder of
a result by its class (:mod:`nullsight.report.sections`).
"""

from __future__ import annotations

import collections.abc
import dataclasses
import math
import types
import typing
from typing import Any, ClassVar, TypeVar

from .errors import InvalidInputError
from .provenance import Provenance
from .registry import Registry

NOT_SERIALISED = {"json": False}
"""``field(metadata=NOT_SERIALISED)``: kept on the object, left out of the JSON."""

R = TypeVar("R", bound="Result")


class Result(Provenance):
    """Base of every result dataclass: its provenance, ``KIND``, ``SCHEMA_VERSION``, ``to_dict()`` and ``from_dict()``."""

    KIND: ClassVar[str] = ""
    SCHEMA_VERSION: ClassVar[int] = 1
    READS_VERSIONS: ClassVar[tuple[int, ...]] = ()
    """Older schema versions whose JSON loads unchanged (0: written before results carried a version)."""

    def headline(self) -> str:
        """One line for the report's summary: what was found, exact or not, the key figure."""
        name = next((getattr(self, k) for k in ("model", "name", "data") if isinstance(getattr(self, k, None), str)), "")
        return f"{self.KIND}: {name}" if name else self.KIND

    def to_dict(self) -> dict[str, Any]:
        """The JSON object: ``kind``, ``schema_version``, then every serialised field."""
        return {"kind": self.KIND, "schema_version": self.SCHEMA_VERSION, **to_jsonable(self)}

    @classmethod
    def from_dict(cls: type[R], data: dict[str, Any]) -> R:
        """The result ``to_dict()`` wrote; a JSON of another kind or schema version raises :class:`InvalidInputError`."""
        if not isinstance(data, dict):
            raise InvalidInputError(f"a {cls.KIND!r} result must be a JSON object, got {type(data).__name__}")
        kind = data.get("kind")
        if kind != cls.KIND:
            raise InvalidInputError(f"expected a {cls.KIND!r} result, got kind {kind!r}")
        version = data.get("schema_version", 0)
        if version != cls.SCHEMA_VERSION and version not in cls.READS_VERSIONS:
            raise InvalidInputError(
                f"{cls.KIND!r} result has schema version {version}, this nullsight reads version {cls.SCHEMA_VERSION}: "
                "regenerate it with the command recorded in its 'command' field"
            )
        return from_jsonable(cls, data)


RESULT_KINDS: Registry[type[Result]] = Registry("result kind", InvalidInputError)


def register_result(cls: type[R]) -> type[R]:
    """Class decorator: register a :class:`Result` dataclass under its ``KIND``."""
    if not (isinstance(cls, type) and issubclass(cls, Result) and dataclasses.is_dataclass(cls) and cls.KIND):
        raise TypeError(f"{cls!r} must be a Result dataclass with a KIND")
    RESULT_KINDS.register(cls.KIND)(cls)
    return cls


def load_result_kinds() -> Registry[type[Result]]:
    """:data:`RESULT_KINDS` after importing the result modules every capability declares
    (:mod:`nullsight.capabilities`; imported lazily: the cores import torch)."""
    from .capabilities import import_all

    import_all("results")
    return RESULT_KINDS


def result_from_dict(data: dict[str, Any]) -> Result:
    """The typed result a JSON object holds, chosen by its ``kind``; unknown kinds raise with suggestions."""
    kind = data.get("kind") if isinstance(data, dict) else None
    if not isinstance(kind, str):
        raise InvalidInputError("not a nullsight result (no 'kind' key)")
    return load_result_kinds().get(kind).from_dict(data)


def to_jsonable(obj: Any) -> Any:
    """Dataclasses -> dicts (serialised fields only), tuples -> lists, non-finite floats -> None."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)
                if f.metadata.get("json", True)}
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if hasattr(obj, "item") and getattr(obj, "ndim", None) == 0:  # a numpy / torch scalar
        return to_jsonable(obj.item())
    return obj


def from_jsonable(tp: Any, value: Any) -> Any:
    """``value`` (parsed JSON) as an instance of the annotated type ``tp`` (dataclasses rebuilt recursively)."""
    if value is None:
        return None
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(tp) if a is not type(None)]
        for option in options:
            if dataclasses.is_dataclass(option) and isinstance(value, dict):
                return from_jsonable(option, value)
        return from_jsonable(options[0], value) if len(options) == 1 else value
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        if not isinstance(value, dict):
            raise InvalidInputError(f"{tp.__name__}: expected a JSON object, got {type(value).__name__}")
        hints = typing.get_type_hints(tp)
        names = {f.name for f in dataclasses.fields(tp) if f.init and f.metadata.get("json", True)}
        required = {f.name for f in dataclasses.fields(tp) if f.init and f.metadata.get("json", True)
                    and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING}
        missing = sorted(required - set(value))
        if missing:
            raise InvalidInputError(f"{getattr(tp, 'KIND', '') or tp.__name__} result is missing {', '.join(missing)}")
        return tp(**{name: from_jsonable(hints.get(name, Any), value[name]) for name in names if name in value})
    if origin in (list, tuple, collections.abc.Sequence) and isinstance(value, list):
        args = typing.get_args(tp)
        if origin is tuple and args and args[-1] is not Ellipsis:
            return tuple(from_jsonable(a, v) for a, v in zip(args, value))
        items = [from_jsonable(args[0] if args else Any, v) for v in value]
        return tuple(items) if origin is tuple else items
    if origin is dict and isinstance(value, dict):
        args = typing.get_args(tp)
        return {k: from_jsonable(args[1] if len(args) == 2 else Any, v) for k, v in value.items()}
    if tp is float and isinstance(value, int):
        return float(value)
    return value

"""The published JSON Schema of every result kind, and validation of a result JSON against it (pydantic v2).

A result class is a dataclass whose serialised fields are its JSON (:mod:`nullsight.results`).  Fields kept off
the JSON (``metadata=NOT_SERIALISED``: tensors for figures) are not part of the wire format, so the schema is made
from a *wire* dataclass that mirrors the serialised fields only, recursively; pydantic turns that into a JSON
Schema and validates against it.  ``kind`` and ``schema_version`` are pinned as constants.

>>> from nullsight.results import load_result_kinds
>>> schema = json_schema(load_result_kinds().get("train"))
>>> schema["properties"]["kind"]["const"], "config" in schema["required"]
('train', True)
"""

from __future__ import annotations

import collections.abc
import dataclasses
import types
import typing
from functools import lru_cache
from typing import Any

from .errors import InvalidInputError

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def json_schema(result_class: type) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a result class's JSON, with ``kind`` and ``schema_version`` pinned."""
    schema = _adapter(result_class).json_schema()
    schema["properties"] = {"kind": {"const": result_class.KIND, "type": "string"},
                            "schema_version": {"enum": _versions(result_class), "type": "integer"},
                            **schema.get("properties", {})}
    schema["required"] = ["kind", *schema.get("required", [])]
    schema["title"] = f"nullsight result: {result_class.KIND}"
    return {"$schema": SCHEMA_DIALECT, **schema}


def validate(result_class: type, data: dict[str, Any]) -> None:
    """Raise :class:`InvalidInputError` naming the first field where ``data`` breaks the schema of its kind."""
    import pydantic

    body = {k: v for k, v in data.items() if k not in ("kind", "schema_version")}
    if data.get("kind") != result_class.KIND:
        raise InvalidInputError(f"expected a {result_class.KIND!r} result, got kind {data.get('kind')!r}")
    if data.get("schema_version", 0) not in _versions(result_class):
        raise InvalidInputError(f"{result_class.KIND!r}: schema version {data.get('schema_version')} is not one of "
                                f"{_versions(result_class)}")
    try:
        _adapter(result_class).validate_python(body, strict=False)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(top level)"
        raise InvalidInputError(f"{result_class.KIND!r} result does not match its schema at {where}: {first['msg']} "
                                f"({exc.error_count()} problem(s))") from None


def _versions(result_class: type) -> list[int]:
    return sorted({result_class.SCHEMA_VERSION, *result_class.READS_VERSIONS})


@lru_cache(maxsize=None)
def _adapter(result_class: type) -> Any:
    import pydantic

    return pydantic.TypeAdapter(_wire(result_class))


@lru_cache(maxsize=None)
def _wire_model(cls: type) -> type:
    """A pydantic model with ``cls``'s serialised fields only (unknown keys refused), nested dataclass types replaced
    by their wire models; a field with a default may be absent or null."""
    import pydantic

    hints = typing.get_type_hints(cls)
    fields: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if not f.metadata.get("json", True):
            continue
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        fields[f.name] = (_wire(hints[f.name]), ...) if required else (_wire(hints[f.name]) | None, None)
    return pydantic.create_model(cls.__name__, __config__=pydantic.ConfigDict(extra="forbid"), **fields)


def _wire(tp: Any) -> Any:
    """``tp`` with every dataclass in it replaced by its wire dataclass; floats also take JSON null (the JSON of a
    non-finite float), tuples are JSON arrays."""
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return _wire_model(tp)
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        wired = [_wire(a) for a in args]
        out = wired[0]
        for option in wired[1:]:
            out = out | option
        return out
    if origin in (list, collections.abc.Sequence):
        return list[_wire(args[0])] if args else list
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return list[_wire(args[0])]
        return tuple[tuple(_wire(a) for a in args)] if args else list  # type: ignore[misc]
    if origin is dict:
        return dict[args[0], _wire(args[1])] if args else dict
    if tp is float:
        return float | None
    if origin is typing.Literal:
        return tp
    return tp

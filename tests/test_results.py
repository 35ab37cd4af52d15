"""Every registered result kind: JSON round trip (hypothesis and a real fixture) and its registered report section.

Parametrised over :data:`nullsight.results.RESULT_KINDS`, so a new kind is tested the moment it is registered;
its fixture (one small real result) comes from ``make fixtures`` (tools/result_fixtures.sh).
"""

from __future__ import annotations

import collections.abc
import dataclasses
import json
import math
import types
import typing
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nullsight.errors import InvalidInputError
from nullsight.report import build_report, load_results
from nullsight.report.sections import build_sections, load_section_builders
from nullsight.results import RESULT_KINDS, Result, load_result_kinds, result_from_dict
from nullsight.train.loop import TrainConfig

FIXTURES = Path(__file__).parent / "fixtures" / "results"
KINDS = load_result_kinds().names()

FLOATS = st.floats(allow_nan=False, allow_infinity=False, width=64)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-1000, 1000), FLOATS, st.text(max_size=8))
OVERRIDES: dict[Any, st.SearchStrategy] = {
    TrainConfig: st.builds(TrainConfig, epochs=st.integers(1, 50), batch_size=st.integers(1, 512), lr=FLOATS,
                           weight_decay=FLOATS, rescale=st.lists(FLOATS, max_size=3), seed=st.integers(0, 99),
                           optimizer=st.sampled_from(["adam", "sgd"])),
}


def strategy(tp: Any) -> st.SearchStrategy:
    """Values of the annotated type ``tp`` that survive JSON (finite floats, str keys)."""
    if tp in OVERRIDES:
        return OVERRIDES[tp]
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        return st.one_of(*(strategy(a) for a in args))
    if tp is type(None):
        return st.none()
    if dataclasses.is_dataclass(tp):
        hints = typing.get_type_hints(tp)
        fields = {f.name: strategy(hints[f.name]) if f.metadata.get("json", True) else st.none()
                  for f in dataclasses.fields(tp) if f.init}
        return st.builds(tp, **fields)
    if origin in (list, collections.abc.Sequence):
        return st.lists(strategy(args[0] if args else Any), max_size=3)
    if origin is tuple:
        return st.tuples(*(strategy(a) for a in args)) if args and args[-1] is not Ellipsis else st.lists(strategy(args[0]), max_size=3).map(tuple)
    if origin is dict:
        return st.dictionaries(st.text(max_size=6), strategy(args[1] if len(args) == 2 else Any), max_size=3)
    return {bool: st.booleans(), int: st.integers(-10**6, 10**6), float: FLOATS, str: st.text(max_size=12)}.get(tp, SCALARS)


def as_json(obj: dict) -> dict:
    return json.loads(json.dumps(obj))


@pytest.mark.parametrize("kind", KINDS)
def test_round_trip_property(kind: str) -> None:
    cls = RESULT_KINDS.get(kind)

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    @given(strategy(cls))
    def check(result: Result) -> None:
        data = as_json(result.to_dict())
        assert data["kind"] == kind and data["schema_version"] == cls.SCHEMA_VERSION
        assert as_json(result_from_dict(data).to_dict()) == data

    check()


@pytest.mark.parametrize("kind", KINDS)
def test_fixture_round_trips_and_renders_with_its_section(kind: str) -> None:
    path = FIXTURES / f"{kind}.json"
    assert path.is_file(), f"no fixture for result kind {kind!r}: add one to tools/result_fixtures.sh and run `make fixtures`"
    data = json.loads(path.read_text())
    typed = result_from_dict(data)
    assert type(typed) is RESULT_KINDS.get(kind)
    assert as_json(typed.to_dict()) == data
    assert kind in load_section_builders(), f"no report section registered for {kind!r} (use @section_for)"
    sections = build_sections(kind, load_results([path]))  # its pictures are read from beside it
    assert sections and all(s.title for s in sections)
    assert all(f.title for s in sections for f in s.figures)  # the alt text
    assert typed.headline() and "\n" not in typed.headline()


def test_older_schema_version_gets_one_clear_line() -> None:
    data = json.loads((FIXTURES / "audit.json").read_text()) | {"schema_version": 99}
    with pytest.raises(InvalidInputError, match="schema version 99.*regenerate"):
        build_report([data])


def test_malformed_result_names_the_missing_fields() -> None:
    with pytest.raises(InvalidInputError, match="missing"):
        result_from_dict({"kind": "audit", "schema_version": 1, "model": "m"})


def test_unknown_kind_is_shown_generically_with_a_summary_line() -> None:
    html = build_report([{"kind": "from-the-future", "command": "x", "value": 1.5}])
    assert "from the future" in html.lower() and "no typed section" in html


def test_non_finite_floats_become_null() -> None:
    from nullsight.results import to_jsonable

    assert to_jsonable({"a": math.nan, "b": [math.inf, 1.0]}) == {"a": None, "b": [None, 1.0]}

"""The top-level API: lazy attributes, the docstring example, and unknown names."""

import doctest

import pytest

import nullsight


def test_docstring_example_runs():
    failures, _ = doctest.testmod(nullsight, verbose=False)
    assert failures == 0


def test_every_public_name_resolves():
    for name in nullsight.__all__:
        assert getattr(nullsight, name) is not None
    with pytest.raises(AttributeError):
        nullsight.not_a_thing  # noqa: B018

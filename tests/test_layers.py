"""The layers, held by the import graph (grimp, import-linter's engine): a capability imports another only where it
declares the dependency (``Capability.requires``), and the shared layers import no capability."""

from __future__ import annotations

import grimp
import pytest

from nullsight.capabilities import discover

CAPABILITIES = {c.name: c for c in discover()}
SHARED = ("nullsight.models", "nullsight.data", "nullsight.linalg", "nullsight.operators", "nullsight.layers",
          "nullsight.attacks", "nullsight.results", "nullsight.schema", "nullsight.report", "nullsight.io",
          "nullsight.normalization", "nullsight.inference", "nullsight.capabilities", "nullsight.artifacts")


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("nullsight")


def _direct(graph: grimp.ImportGraph, importer: str, imported: str) -> list[tuple[str, str]]:
    """Every direct import from a module of ``importer`` (a package or module) into one of ``imported``."""
    inside = lambda module, package: module == package or module.startswith(package + ".")  # noqa: E731
    found = []
    for module in graph.modules:
        if inside(module, importer):
            found += [(module, target) for target in graph.find_modules_directly_imported_by(module)
                      if inside(target, imported)]
    return sorted(found)


@pytest.mark.parametrize("name", sorted(CAPABILITIES))
def test_a_capability_imports_only_what_it_declares(graph: grimp.ImportGraph, name: str) -> None:
    capability = CAPABILITIES[name]
    for other in CAPABILITIES.values():
        if other.name == name or other.name in capability.requires:
            continue
        assert not _direct(graph, capability.package, other.package), (
            f"{name} imports {other.name} without declaring it (Capability.requires)")


def test_declared_dependencies_exist() -> None:
    for capability in CAPABILITIES.values():
        assert set(capability.requires) <= set(CAPABILITIES), capability.name
        assert capability.name not in capability.requires


@pytest.mark.parametrize("layer", SHARED)
def test_shared_layers_import_no_capability(graph: grimp.ImportGraph, layer: str) -> None:
    for capability in CAPABILITIES.values():
        assert not _direct(graph, layer, capability.package), f"{layer} imports the {capability.name} capability"


def test_the_training_layer_imports_no_other_capability(graph: grimp.ImportGraph) -> None:
    """Augmentations and training references register into train (``extends``); train reaches none of them."""
    assert CAPABILITIES["train"].requires == ()
    for capability in CAPABILITIES.values():
        if capability.name != "train":
            assert not _direct(graph, "nullsight.train", capability.package), capability.name


def test_the_layer_check_can_fail(graph: grimp.ImportGraph) -> None:
    """A control: the check sees a real import (defend uses collisions' runner)."""
    assert _direct(graph, "nullsight.defend", "nullsight.collisions")

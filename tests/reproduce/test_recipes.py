"""Every seed's recipe runs end to end in --quick mode (so a recipe cannot rot), is cached, and says its stages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nullsight.cli import main
from nullsight.reproduce.registry import recipes
from nullsight.reproduce.store import StageStore, file_sha256
from nullsight.reproduce.verdicts import VERDICTS

SEEDS = list(recipes())


def test_every_seed_has_a_recipe() -> None:
    assert {"000", "001", "004"} <= set(SEEDS)


def test_list_names_every_stage_and_claim(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["reproduce", "--list"]) == 0
    text = capsys.readouterr().out
    for recipe in recipes().values():
        assert recipe.seed in text
        for stage in recipe.stages:
            assert f"stage  {stage.name}" in text
        for claim in recipe.claims:
            assert claim.id in text


@pytest.fixture(scope="module")
def quick_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every recipe in --quick mode, in seed order, in one results root (seed 003 reads seed 002's models)."""
    root = tmp_path_factory.mktemp("quick")
    assert main(["reproduce", "all", "--quick", "--out-dir", str(root), "-q"]) == 0
    return root


@pytest.mark.parametrize("seed", SEEDS)
def test_quick_run_ends_in_a_claims_table(seed: str, quick_root: Path) -> None:
    claims = json.loads((quick_root / seed / "claims.json").read_text())
    recipe = recipes()[seed]
    assert claims["kind"] == "claims" and claims["quick"] is True
    assert [r["id"] for r in claims["rows"]] == [c.id for c in recipe.claims] + [u[0] for u in recipe.untestable]
    assert all(r["verdict"] in VERDICTS for r in claims["rows"])
    assert [s["status"] for s in claims["stages"]] == ["ran"] * len(recipe.stages)
    tested = [r for r in claims["rows"] if r["id"] in {c.id for c in recipe.claims}]
    assert any(r["verdict"] != "not testable here" for r in tested), "a quick run measures the claims"


def test_second_run_is_cached(tmp_path: Path) -> None:
    args = ["reproduce", "000", "--quick", "--out-dir", str(tmp_path), "-q", "--stage", "collide-deit-tiny"]
    assert main(args) == 0
    first = json.loads((tmp_path / "000" / "claims.json").read_text())
    assert main(args) == 0
    second = json.loads((tmp_path / "000" / "claims.json").read_text())
    assert [s["status"] for s in second["stages"]] == ["cached"]
    assert first["stages"][0]["outputs"] == second["stages"][0]["outputs"]


def test_unknown_seed_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["reproduce", "999", "--list"]) == 2
    assert "no recipe for seed '999'" in capsys.readouterr().err


def test_store_notices_a_changed_output(tmp_path: Path) -> None:
    out = tmp_path / "a.json"
    out.write_text("{}")
    store = StageStore(tmp_path / "s.sqlite")
    store.record("001", "x", "full", "k1", [(str(out), file_sha256(out))])
    assert store.done("001", "x", "full", "k1") is not None
    assert store.done("001", "x", "full", "k2") is None  # other inputs
    out.write_text('{"changed": 1}')
    assert store.done("001", "x", "full", "k1") is None  # the output is not what was recorded
    store.close()

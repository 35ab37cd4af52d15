"""The atlas over several architectures: under Ray local, in a plain loop, resumed from its store, with failures and
timeouts as rows, each first-operator signature decided once, the same seed giving the same JSON."""

from __future__ import annotations

import pytest

from nullsight.atlas import engine
from nullsight.atlas.engine import EngineSettings, iter_atlas, run_atlas, weights_key
from nullsight.atlas.export import lean_json
from nullsight.atlas.store import AtlasStore
from nullsight.atlas.zoo import Entry

ray = pytest.importorskip("ray")


def entry(spec: str, family: str = "x", task: str = "classification") -> Entry:
    source, _, name = spec.partition(":")
    return Entry(spec, source, name, family, task)


FIVE = [entry("torchvision:resnet18", "resnet"), entry("timm:resnet18", "resnet"),
        entry("timm:deit_tiny_patch16_224", "deit"), entry("torchvision:squeezenet1_1", "squeezenet"),
        entry("timm:no_such_model_xyz")]
SEQUENTIAL = EngineSettings(engine="sequential")


def test_five_models_under_ray_local() -> None:
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    try:
        with AtlasStore(":memory:") as store:
            result = run_atlas(FIVE, store, settings=EngineSettings(engine="ray", timeout=240))
            stored = store.done(weights_key(0, None))
    finally:
        ray.shutdown()
    rows = {r.architecture: r for r in result.rows}
    assert set(rows) == stored == {e.architecture for e in FIVE}
    assert rows["timm:no_such_model_xyz"].status == "error" and "no_such_model_xyz" in rows["timm:no_such_model_xyz"].error
    assert rows["timm:deit_tiny_patch16_224"].verdict == "exact"
    assert rows["torchvision:resnet18"].verdict == rows["timm:resnet18"].verdict == "impossible"
    assert rows["torchvision:squeezenet1_1"].first_operator.kernel == [3, 3]
    assert result.counts.status == {"ok": 4, "error": 1, "timeout": 0}


def test_resume_skips_done_rows_and_refresh_recomputes() -> None:
    two = FIVE[:2]
    with AtlasStore(":memory:") as store:
        first = list(iter_atlas(two[:1], store, settings=SEQUENTIAL))
        assert [r.architecture for r in first] == ["torchvision:resnet18"]
        second = list(iter_atlas(two, store, settings=SEQUENTIAL))  # only the new one is computed
        assert [r.architecture for r in second] == ["timm:resnet18"]
        assert list(iter_atlas(two, store, settings=SEQUENTIAL)) == []
        assert len(list(iter_atlas(two, store, settings=SEQUENTIAL, refresh=True))) == 2
        assert len(store.rows()) == 2


def test_a_signature_is_decided_once(monkeypatch) -> None:
    calls = []
    decide = engine.decide_task
    monkeypatch.setattr(engine, "decide_task", lambda *a: calls.append(a[0].key()) or decide(*a))
    with AtlasStore(":memory:") as store:
        rows = list(iter_atlas(FIVE[:2], store, settings=SEQUENTIAL))
        assert len(rows) == 2 and calls == ["conv:3->64@224x224:k7x7:s2x2:p3+3,3+3:d1x1:g1"]
        assert store.decision(calls[0], 0).verdict == "impossible"  # kept for later runs


def test_failures_and_timeouts_are_rows() -> None:
    with AtlasStore(":memory:") as store:
        (failed,) = iter_atlas([FIVE[-1]], store, settings=SEQUENTIAL)
        (slow,) = iter_atlas([FIVE[0]], store, settings=EngineSettings(engine="sequential", timeout=0.01))
    assert failed.status == "error" and failed.error.startswith("ModelNotFoundError") and "\n" not in failed.error
    assert slow.status == "timeout" and "timed out" in slow.error and slow.verdict == "undetermined"


def test_same_seed_same_json() -> None:
    texts = [lean_json(run_atlas(FIVE[2:4], settings=SEQUENTIAL)) for _ in range(2)]
    strip = lambda text: "\n".join(line for line in text.splitlines() if '"created"' not in line)  # noqa: E731
    assert strip(texts[0]) == strip(texts[1])


def test_bad_settings_are_refused() -> None:
    from nullsight.errors import InvalidInputError

    with pytest.raises(InvalidInputError, match="--engine"):
        EngineSettings(engine="threads")
    with pytest.raises(InvalidInputError, match="--address"):
        EngineSettings(engine="sequential", address="head:6379")

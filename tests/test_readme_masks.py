""""significant" at its boundary: the README's masks summary (tools/readme_masks.py) calls an IdCor correlation
significant when its permutation p-value is at most 0.05."""

import json
import math
import sys
from pathlib import Path

import pytest

TOOLS = Path(__file__).resolve().parents[1] / "tools"


@pytest.fixture
def readme_masks(monkeypatch, tmp_path):
    monkeypatch.syspath_prepend(str(TOOLS))
    sys.modules.pop("readme_masks", None)
    import readme_masks

    monkeypatch.setattr(readme_masks, "RESULTS", tmp_path)
    return readme_masks


def _write(directory: Path, p_value: float) -> None:
    rows = [{"attack": "fmn", "idcor": 0.5, "p_value": p_value, "n_pairs": 128, "svcca": 0.3}]
    (directory / "mnist-correlation.json").write_text(json.dumps({"rows": rows}))
    (directory / "mnist-masks.json").write_text(json.dumps({"clean_accuracy": 0.98, "n_images": 128}))


@pytest.mark.parametrize("p_value, significant", [(0.05, True), (math.nextafter(0.05, 1.0), False), (0.01, True)])
def test_significant_boundary(readme_masks, tmp_path, p_value, significant):
    _write(tmp_path, p_value)
    text = readme_masks.summary()
    assert ("significantly correlated by IdCor for fmn" in text) is significant
    assert ("not significant: fmn" in text) is not significant

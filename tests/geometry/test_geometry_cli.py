"""``nullsight geometry``: JSON out with its command, round trip through the typed result, bad input in one line."""

from __future__ import annotations

import json

import pytest
import torch
from torch import nn

from nullsight.cli import main
from nullsight.errors import InvalidInputError
from nullsight.geometry.features import extract_features, feature_head
from nullsight.geometry.result import GeometryResult
from nullsight.results import result_from_dict


def test_analyze_writes_typed_result(tmp_path, capsys) -> None:
    out = tmp_path / "g.json"
    code = main(["geometry", "analyze", "nullsight:resnet20", "--data", "digits", "--n-train", "60", "--n-test", "12",
                 "--n-pixel", "4", "--n-table", "2", "--quiet", "--out", str(out)])
    assert code == 0
    data = json.loads(out.read_text())
    assert data["kind"] == "geometry" and data["command"].startswith("nullsight geometry analyze")
    result = result_from_dict(data)
    assert isinstance(result, GeometryResult) and result.to_dict() == data
    assert data["distances"]["d_h"]["shape"] == [12] and len(data["table1"]) == 2
    assert data["solver"]["hull_unconverged"] == 0 and data["nonneg"] is True
    row = data["table1"][0]
    assert row["margins"][row["predicted"]] is None and row["min_margin"] == min(m for m in row["margins"] if m is not None)
    assert 0 <= data["ambiguity"]["share_hull_closer"] <= 1


def test_unknown_feature_layer_lists_candidates(capsys) -> None:
    code = main(["geometry", "analyze", "nullsight:resnet20", "--data", "digits", "--n-train", "5", "--n-test", "2",
                 "--feature-layer", "stages", "--quiet"])
    assert code == 2
    assert "candidates: fc" in capsys.readouterr().err


def test_features_of_a_named_layer_and_signed_features() -> None:
    model = nn.Sequential(nn.Flatten(), nn.Linear(4, 3), nn.Linear(3, 2)).eval()
    x = torch.randn(5, 1, 2, 2)
    f, logits = extract_features(model, x)
    assert f.shape == (5, 3) and torch.allclose(logits, model[2](f), atol=1e-6)
    f1, _ = extract_features(model, x, "1")
    assert f1.shape == (5, 4)
    assert feature_head(model).name == "2"
    with pytest.raises(InvalidInputError, match="candidates: 1, 2"):
        feature_head(model, "0")
    with pytest.raises(InvalidInputError, match="not a classifier"):
        extract_features(nn.Sequential(nn.Flatten(), nn.Linear(4, 3), nn.Unflatten(1, (3, 1))), x)


def test_report_sections_from_json(tmp_path) -> None:
    from nullsight.report import load_results
    from nullsight.report.sections import build_sections

    out = tmp_path / "g.json"
    assert main(["geometry", "analyze", "nullsight:resnet20", "--data", "digits", "--n-train", "40", "--n-test", "10",
                 "--n-pixel", "3", "--quiet", "--out", str(out)]) == 0
    sections = build_sections("geometry", load_results([out]))
    assert len(sections) == 1 and len(sections[0].figures) >= 5
    assert all(f.title for f in sections[0].figures)

"""One architecture's row: the structural audit on the meta device agrees with seed 000's Table 2 as nullsight
reproduces it (the structural columns, exactly), and a row carries its first operator and evidence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nullsight.atlas.architecture import audit_architecture, survey
from nullsight.atlas.zoo import Entry
from nullsight.audit.table2 import TABLE2

TABLE2_JSON = Path(__file__).parents[2] / "results" / "audit" / "table2.json"
SHARED = [row for row in TABLE2 if row.spec is not None]


def entry(spec: str, task: str = "classification") -> Entry:
    source, _, name = spec.partition(":")
    return Entry(spec, source, name, name, task)


def test_seventeen_table2_models_are_in_the_zoo() -> None:
    assert len(SHARED) == 17


@pytest.mark.parametrize("row", SHARED, ids=[r.spec for r in SHARED])
def test_structural_columns_agree_with_table2_exactly(row) -> None:
    """n, mu, structural nu, structural sum of nullity and the first weight's structural nullity: the atlas's
    (meta device, shapes only) against the committed Table 2 reproduction (real random-init models)."""
    ours = {r["spec"]: r["ours"] for r in json.loads(TABLE2_JSON.read_text())["rows"]}[row.spec]
    task = {"segmentation": "segmentation", "localization": "detection"}.get(row.task, "classification")
    audit = survey(entry(row.spec, task)).row.audit
    assert (audit.matrices, audit.mu, audit.with_null_space, audit.sum_structural_nullity,
            audit.nullity_first_structural) == (ours["n_weights"], ours["mu"], ours["structural_nu"],
                                                ours["structural_sum_nullity"], ours["structural_nullity_first"])
    assert audit.nu == audit.with_null_space  # generic weights: the shapes decide
    assert audit.mu == row.mu or row.model in ("Keypoint R-CNN",)  # the paper's mu, where its variant is ours


def test_a_row_carries_its_first_operator_and_evidence() -> None:
    row = audit_architecture(entry("timm:deit_tiny_patch16_224"))
    assert (row.status, row.verdict, row.null_dimension) == ("ok", "exact", 196 * 576)
    assert row.first_operator.kind == "patchify" and row.first_operator.name == "patch_embed.proj"
    assert row.first_operator.kernel == [16, 16] and row.first_operator.out_channels == 192
    assert row.evidence.generic_weights and row.evidence.max_abs_diff_fp64 < 1e-9
    assert row.audit.nullity_first_structural == 576 and row.audit.largest[0].structural_nullity >= 576
    assert row.parameters == 5_717_416 and row.input_size == [3, 224, 224]


def test_a_detector_is_audited_at_its_working_size() -> None:
    row = audit_architecture(entry("torchvision:fasterrcnn_mobilenet_v3_large_fpn", "detection"))
    assert row.input_size == [3, 800, 800] and row.first_operator.kind == "resize"
    assert row.verdict == "impossible" and "identity" in row.evidence.reason


def test_a_builder_that_computes_with_tensors_is_still_audited() -> None:
    """torchvision's RegNet reads widths from tensors it makes while building: under a meta default device that
    fails, so only its parameters go to meta (the row is audited, not an error)."""
    row = audit_architecture(entry("torchvision:regnet_y_400mf"))
    assert row.status == "ok" and row.parameters == 4_344_144
    assert row.first_operator.kind == "conv" and row.verdict == "impossible"


def test_a_vit_without_weights_is_audited_at_its_own_image_size() -> None:
    """torchvision's vit_h_14 without weights takes 224 x 224; its default (SWAG) weights' crop is 518."""
    row = audit_architecture(entry("torchvision:vit_h_14"))
    assert row.status == "ok" and row.input_size == [3, 224, 224] and row.verdict == "impossible"  # 588 -> 1280

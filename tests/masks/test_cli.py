"""``nullsight masks ...`` end to end on the digits MLP (8x8 images, seconds), results round-trip and report."""

import json

import pytest
import torch

from nullsight.cli import main
from nullsight.models import save_state_dict
from nullsight.report import build_report
from nullsight.report import load_results
from nullsight.results import result_from_dict

STEPS = ["--min-steps", "5", "--max-steps", "5", "-q"]


@pytest.fixture(scope="module")
def mask_run(tmp_path_factory, digits_mlp):
    model, _ = digits_mlp
    tmp = tmp_path_factory.mktemp("masks")
    rc = main(["masks", "compute", str(model), "--data", "digits", "--n", "24", "--attacks",
               "fmn,pgd:1e-7,deepfool", "--attack-steps", "10", "--masks-dir", str(tmp / "m"), "--out",
               str(tmp / "masks.json"), *STEPS])
    assert rc == 0
    return model, tmp


def test_compute_reports_a_failed_attack_without_crashing(mask_run):
    _, tmp = mask_run
    data = json.loads((tmp / "masks.json").read_text())
    by_name = {s["name"]: s for s in data["sets"]}
    assert by_name["pgd@1e-07"]["success_rate"] == 0 and by_name["pgd@1e-07"]["n_masks"] == 0
    assert by_name["essential"]["n_masks"] > 0 and by_name["fmn"]["n_masks"] > 0
    assert data["command"].startswith("nullsight masks compute")
    assert sorted(p.name for p in (tmp / "m").iterdir()) == ["deepfool.safetensors", "essential.safetensors", "fmn.safetensors"]


def test_correlate_class_robust_and_report(mask_run, tmp_path):
    model, tmp = mask_run
    files = [str(p) for p in sorted((tmp / "m").iterdir())]
    assert main(["masks", "correlate", *files, "--permutations", "10", "--kclass-permutations", "4", "--ks", "2,10",
                 "--draws", "2", "--out", str(tmp_path / "corr.json")]) == 0
    assert main(["masks", "class", str(model), "--data", "digits", "--train-per-class", "5", "--test-n", "30",
                 "--steps", "4", "-q", "--out", str(tmp_path / "class.json")]) == 0
    assert main(["masks", "robust", str(model), "--data", "digits", "--attacks", "fmn", "--adaptive", "pgd:8/255",
                 "--train-per-class", "5", "--test-n", "20", "--steps", "4", "--attack-steps", "5", "-q",
                 "--out", str(tmp_path / "robust.json")]) == 0
    results = []
    for name in ("corr", "class", "robust"):
        data = json.loads((tmp_path / f"{name}.json").read_text())
        typed = result_from_dict(data)
        assert typed.to_dict() == data  # round trip
        results.append(data)
    masks = json.loads((tmp / "masks.json").read_text())
    assert result_from_dict(masks).to_dict() == masks
    corr = results[0]
    assert {r["attack"] for r in corr["rows"]} == {"fmn", "deepfool"}
    assert all(0 < r["p_value"] <= 1 for r in corr["rows"])
    assert all(r["idcor_null"]["draws"] == 10 for r in corr["rows"] if r["idcor"] is not None)
    assert all(p_ * 5 == round(p_ * 5) for t in corr["trends"] for q in t["points"] for p_ in q["p_values"])  # 4 perms
    robust = results[2]
    assert robust["rows"] == ["clean", "fmn"] and robust["columns"] == ["none", "fmn"]
    assert robust["adaptive_rows"] == ["pgd@8/255"] and robust["adaptive_accuracy"][0][0] is None
    html = build_report(load_results([tmp / "masks.json", *(tmp_path / f"{n}.json" for n in ("corr", "class", "robust"))]))
    assert "Fourier masks" in html and "Robust essential masks" in html


def test_exception_lambda_not_positive(digits_mlp, tmp_path, capsys):
    model, _ = digits_mlp
    rc = main(["masks", "compute", str(model), "--data", "digits", "--n", "4", "--lambda", "0",
               "--masks-dir", str(tmp_path), *STEPS])
    assert rc != 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "lambda must be positive" in err[0]


def test_exception_mask_file_of_another_shape(mask_run, tmp_path, capsys):
    _, tmp = mask_run
    bad = tmp_path / "bad.safetensors"
    save_state_dict({"masks": torch.ones(3, 1, 4, 4), "indices": torch.arange(3), "labels": torch.zeros(3, dtype=torch.long),
                     "targets": torch.ones(3, dtype=torch.long)}, bad,
                    {"nullsight.masks.kind": "adversarial", "nullsight.masks.label": "fmn", "nullsight.masks.eps": "",
                     "nullsight.masks.success_rate": "1.0", "nullsight.masks.shape": "1,4,4"})
    rc = main(["masks", "correlate", str(tmp / "m" / "essential.safetensors"), str(bad), "--ks", ""])
    assert rc != 0
    assert "masks of shape (1, 4, 4)" in capsys.readouterr().err


def test_exception_not_a_mask_file(digits_mlp, capsys):
    model, _ = digits_mlp
    assert main(["masks", "correlate", str(model)]) != 0
    assert "not a nullsight mask file" in capsys.readouterr().err

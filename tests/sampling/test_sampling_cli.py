"""``nullsight sampling kernels | eval`` end to end (small sizes), and the results' JSON round trip."""

import json

from nullsight.cli import main
from nullsight.results import result_from_dict
from nullsight.sampling.result import SamplingEvalResult, SamplingKernelsResult


def test_kernels_command_round_trips(tmp_path, capsys):
    out = tmp_path / "kernels.json"
    assert main(["sampling", "kernels", "nullsight:nula-w0.125", "--size", "16", "--larger", "64",
                 "--out", str(out)]) == 0
    data = json.loads(out.read_text())
    result = result_from_dict(data)
    assert isinstance(result, SamplingKernelsResult) and result.to_dict() == data
    rows = {r.name: r for r in result.operators}
    assert rows["resize-0.25"].nullity == rows["resize-0.25"].dense_nullity == 256 - 16
    assert all(r.nullity == r.dense_nullity >= r.bound for r in result.operators)
    assert {r.size for r in result.larger} == {64}
    assert data["command"].startswith("nullsight sampling kernels")


def test_eval_command(tmp_path):
    out = tmp_path / "eval.json"
    assert main(["sampling", "eval", "nullsight:nula-w0.125", "--data", "digits", "--n", "16", "--n-worst", "4",
                 "--worst-steps", "1", "--worst", "decimate-2", "--label", "random", "-q", "--out", str(out)]) == 0
    result = SamplingEvalResult.from_dict(json.loads(out.read_text()))
    assert [r.name for r in result.rows] == ["clean", "resize-0.5", "resize-0.25", "decimate-2", "checkerboard-0.03",
                                             "checkerboard-0.05", "resize-aa-0.5", "resize-aa-0.25"]
    assert result.fit == "resize"  # a random-init model says nothing: digits are resized
    assert result.rows[0].delta_from_clean == 0.0 and result.worst_case[0].operator == "decimate-2"
    assert result.input_size == [3, 32, 32] and result.mean == [0.5, 0.5, 0.5]


def test_bad_input_is_one_line(capsys):
    assert main(["sampling", "eval", "nullsight:nula-w0.125", "--data", "digits", "--worst-eps", "1.5", "-q"]) != 0
    assert "--worst-eps': 1.5 must be <= 1" in capsys.readouterr().err
    assert main(["sampling", "eval", "nullsight:nula-w0.125", "--data", "digits", "--perturbation", "decimate-3", "-q"]) != 0
    assert "did you mean" in capsys.readouterr().err


def test_report_sections(tmp_path):
    from nullsight.artifacts import bind_artifacts
    from nullsight.capabilities import get
    from nullsight.sampling.report import eval_sections, kernels_sections

    assert "nullsight.sampling.report" in get("sampling").report
    k, e = tmp_path / "k.json", tmp_path / "e.json"
    main(["sampling", "kernels", "nullsight:nula-w0.125", "--size", "8", "--larger", "16", "--out", str(k)])
    main(["sampling", "eval", "nullsight:nula-w0.125", "--data", "digits", "--n", "8", "--n-worst", "2", "--worst-steps", "1",
          "-q", "--out", str(e)])
    sections = kernels_sections([bind_artifacts(result_from_dict(json.loads(k.read_text())), tmp_path)])
    sections += eval_sections([bind_artifacts(result_from_dict(json.loads(e.read_text())), tmp_path)] * 2)
    assert all(s.figures and s.figures[0].title for s in sections)
    assert len(sections[1].figures) == 3  # the bar chart and one example grid per result
    assert len(sections[1].tables[0].rows) == 8  # the card's six and the two antialiased resizes


def test_checkpoint_of_another_width_names_the_shapes(tmp_path, capsys):
    from nullsight.models import save_state_dict
    from nullsight.models.nula import Nula

    path = tmp_path / "nula.safetensors"
    save_state_dict(Nula(width=0.125), path, {"nullsight.arch": "nullsight:nula-w0.125"})
    assert main(["sampling", "eval", str(path), "--arch", "nullsight:nula-w0.25", "--data", "digits", "-q"]) != 0
    assert "stem.0.weight 16x3x3x3 vs 32x3x3x3" in capsys.readouterr().err
    assert main(["sampling", "eval", "nullsight:nula-w0.125", "--data", str(tmp_path / "missing"), "-q"]) != 0
    assert "no such file or directory" in capsys.readouterr().err


def test_eval_reads_the_checkpoints_input_pipeline(tmp_path):
    """A model trained on zero-padded images is evaluated on zero-padded images (``nullsight.fit``), not resized."""
    ckpt = tmp_path / "nula-pad.safetensors"
    trained = tmp_path / "train.json"
    assert main(["train", "nullsight:nula-w0.125", "--data", "digits", "--epochs", "1", "--n-train", "64", "--no-rescale",
                 "--fit", "pad", "-q", "--out", str(ckpt), "--results", str(trained)]) == 0
    assert json.loads(trained.read_text())["fit"] == "pad"
    out = tmp_path / "eval.json"
    assert main(["sampling", "eval", str(ckpt), "--data", "digits", "--n", "8", "--n-worst", "0", "-q",
                 "--perturbation", "clean", "--out", str(out)]) == 0
    assert SamplingEvalResult.from_dict(json.loads(out.read_text())).fit == "pad"

"""Seed 001 Fig. 1 (the (2, 1, 3, 1)-ReLU surface is flat along Null(W1)) and Fig. 11 (networks see differently)."""

import json
import textwrap

import pytest
import torch
from hypothesis import given, settings, strategies as st
from torch import nn

from nullsight.cli import main
from nullsight.normalization import PM1
from nullsight.report.sections import build_sections
from nullsight.stego.figures import compare_seen, fig1_surface, relu_net
from nullsight.stego.projector import NullSpaceProjector
from nullsight.stego.result import StegoFig11Result, StegoFig1Result


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10_000), extent=st.floats(0.5, 20.0))
def test_surface_is_flat_along_the_null_direction(seed, extent):
    s = fig1_surface(seed, extent, resolution=21, lines=16)
    w1 = torch.tensor(s.w1, dtype=torch.float64)
    n = torch.tensor(s.null_direction, dtype=torch.float64)
    assert w1.shape == (1, 2) and abs(float(w1 @ n)) < 1e-12 and abs(float(n.norm()) - 1) < 1e-12
    assert s.spread_along_null <= 1e-12 * max(1.0, extent) * 10
    assert len(s.values) == len(s.values[0]) == 21


def test_surface_values_are_the_network_and_vary_across():
    s = fig1_surface(0, 3.0, resolution=11)
    net = relu_net((2, 1, 3, 1), 0)
    x = torch.tensor([[s.xs[4], s.xs[7]]], dtype=torch.float64)  # values[i][j] = f(xs[j], xs[i])
    with torch.no_grad():
        assert abs(float(net(x)) - s.values[7][4]) < 1e-12
    assert s.spread_along_row > 0.1  # seed 0's surface is not flat across the null direction


def _mlp(seed: int) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Flatten(), nn.Linear(64, 20), nn.ReLU(), nn.Linear(20, 10)).eval()


def test_two_networks_see_differently_each_exactly():
    models = [_mlp(0), _mlp(1)]
    projectors = [NullSpaceProjector.from_model(m, torch.zeros(1, 1, 8, 8)) for m in models]
    pixels = torch.rand(5, 1, 8, 8, generator=torch.Generator().manual_seed(0))
    seen = compare_seen(models, projectors, [PM1, PM1], pixels)
    assert seen.null_dims == [44, 44] and seen.predictions_agree == [1.0, 1.0]
    assert max(seen.max_logit_diff_fp64) < 1e-10 and min(seen.relative_difference) > 0.05
    w = models[0][1].weight.detach().double()
    x = PM1.to_model(pixels).double().flatten(1)
    assert torch.allclose(PM1.to_model(seen.seen[0]).double().flatten(1) @ w.T, x @ w.T, atol=1e-10)
    same = compare_seen([models[0], models[0]], [projectors[0]] * 2, [PM1, PM1], pixels)
    assert max(same.relative_difference) < 1e-12


@pytest.fixture
def tiny(tmp_path, monkeypatch):
    (tmp_path / "fignets.py").write_text(textwrap.dedent('''
        import torch
        from torch import nn

        def _mlp(seed):
            torch.manual_seed(seed)
            m = nn.Sequential(nn.Flatten(), nn.Linear(64, 20), nn.ReLU(), nn.Linear(20, 10))
            m.input_size = (1, 8, 8)
            return m

        def a():
            return _mlp(0)

        def b():
            return _mlp(1)
    '''))
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def test_cli_fig1_and_fig11_round_trip_and_report(capsys, tiny):
    assert main(["stego", "fig1", "--resolution", "9"]) == 0
    fig1 = json.loads(capsys.readouterr().out)
    assert fig1["kind"] == "stego-fig1" and fig1["command"].startswith("nullsight stego fig1")
    assert StegoFig1Result.from_dict(fig1).to_dict() == fig1 and fig1["spread_along_null"] < 1e-12
    assert main(["stego", "fig11", "fignets:a", "fignets:b", "--data", "digits", "--n", "4"]) == 0
    fig11 = json.loads(capsys.readouterr().out)
    assert fig11["n"] == 4 and len(fig11["examples"]["seen"]) == 2 and fig11["predictions_agree"] == [1.0, 1.0]
    assert StegoFig11Result.from_dict(fig11).to_dict() == fig11
    for kind, data in (("stego-fig1", fig1), ("stego-fig11", fig11)):
        sections = build_sections(kind, [data])
        assert sections and all(f.title for s in sections for f in s.figures)


def test_cli_fig11_needs_two_models(capsys, tiny):
    assert main(["stego", "fig11", "fignets:a", "--data", "digits", "--n", "2"]) != 0
    assert "at least two" in capsys.readouterr().err


def test_sees_keeps_a_few_pictures_and_counts_every_image(tiny):
    """The statistics cover all ``n`` images; only the figure's first few are stored beside the JSON."""
    from nullsight.stego.runner import N_EXAMPLES, sees_run

    result = sees_run("fignets:a", "digits", n=N_EXAMPLES + 5)
    assert result.n == N_EXAMPLES + 5 and result.predictions_agree == 1.0
    assert len(result.examples.original.load()) == len(result.examples.seen.load()) == N_EXAMPLES

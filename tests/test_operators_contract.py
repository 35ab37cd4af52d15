"""Every field :mod:`nullsight.operators` reports for each layer type, not only the matrices: names, owning modules,
types, groups, gate blocks, orientation, the ``--all-params`` extras and the reasons for each skipped parameter
(the audit prints all of them; found by mutation testing, issue 22)."""

from collections import OrderedDict

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from nullsight.operators import (TRANSPOSED_LINEAR, LinearWeight, OperatorNullSpace, conv1d_null_space,
                                 conv2d_operator_matrix, conv_transpose_matrix, linear_weights, skip_reason,
                                 skipped_parameters)


class Conv1D(nn.Module):
    """transformers' GPT-2 Conv1D: the weight is stored ``in x out`` and applied as ``x @ weight``."""

    def __init__(self, nx: int, nf: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.randn(nx, nf))
        self.bias = nn.Parameter(torch.zeros(nf))


class Zoo(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(4, 6, 3, groups=2)
        self.up = nn.ConvTranspose2d(4, 6, 2, groups=2, bias=False)
        self.fc = nn.Linear(5, 3)
        self.emb = nn.Embedding(7, 5)
        self.gpt = Conv1D(5, 9)
        self.attn = nn.MultiheadAttention(4, 2)
        self.split = nn.MultiheadAttention(4, 2, kdim=3, vdim=2)
        self.lstm = nn.LSTM(3, 2)
        self.rnn = nn.RNN(3, 2, bias=False)
        self.pos = nn.Parameter(torch.zeros(1, 4, 5))
        self.scale = nn.Parameter(torch.ones(()))
        self.norm = nn.LayerNorm(5)
        self.wn = nn.utils.parametrizations.weight_norm(nn.Linear(3, 2))
        self.odd = nn.Module()
        self.odd.weight = nn.Parameter(torch.randn(2, 2, 2))  # 3-D, not a matrix product


def _by_name(weights: list[LinearWeight]) -> dict[str, LinearWeight]:
    return {w.name: w for w in weights}


def test_linear_weights_fields_for_every_layer_type():
    torch.manual_seed(0)
    model = Zoo()
    weights = _by_name(linear_weights(model))
    expected = {  # name: (module_name, module_type, shape, groups, blocks, orientation)
        "conv.weight": ("conv", "Conv2d", (6, 18), 2, (), "stored"),
        "up.weight": ("up", "ConvTranspose2d", (24, 2), 2, (), "stored"),
        "fc.weight": ("fc", "Linear", (3, 5), 1, (), "stored"),
        "emb.weight": ("emb", "Embedding", (5, 7), 1, (), "transposed"),
        "gpt.weight": ("gpt", "Conv1D", (9, 5), 1, (), "transposed"),
        "attn.in_proj_weight": ("attn", "MultiheadAttention", (12, 4), 1, (), "stored"),
        "split.q_proj_weight": ("split", "MultiheadAttention", (4, 4), 1, (), "stored"),
        "split.k_proj_weight": ("split", "MultiheadAttention", (4, 3), 1, (), "stored"),
        "split.v_proj_weight": ("split", "MultiheadAttention", (4, 2), 1, (), "stored"),
        "lstm.weight_ih_l0": ("lstm", "LSTM", (8, 3), 1, ("i", "f", "g", "o"), "stored"),
        "lstm.weight_hh_l0": ("lstm", "LSTM", (8, 2), 1, ("i", "f", "g", "o"), "stored"),
        "rnn.weight_ih_l0": ("rnn", "RNN", (2, 3), 1, (), "stored"),
        "rnn.weight_hh_l0": ("rnn", "RNN", (2, 2), 1, (), "stored"),
        "wn.weight": ("wn", "ParametrizedLinear", (2, 3), 1, (), "stored"),
        "attn.out_proj.weight": ("attn.out_proj", "NonDynamicallyQuantizableLinear", (4, 4), 1, (), "stored"),
        "split.out_proj.weight": ("split.out_proj", "NonDynamicallyQuantizableLinear", (4, 4), 1, (), "stored"),
    }
    assert set(weights) == set(expected)
    for name, (module_name, kind, shape, groups, blocks, orientation) in expected.items():
        w = weights[name]
        assert (w.module_name, w.module_type, w.shape, w.groups, w.blocks, w.orientation) == (
            module_name, kind, shape, groups, blocks, orientation), name
    assert torch.equal(weights["gpt.weight"].matrix, model.gpt.weight.detach().T)
    assert torch.equal(weights["emb.weight"].matrix, model.emb.weight.detach().T)
    assert torch.equal(weights["conv.weight"].group_blocks()[1], model.conv.weight.detach()[3:].reshape(3, 18))
    assert torch.equal(weights["lstm.weight_ih_l0"].row_blocks()[2], model.lstm.weight_ih_l0.detach()[4:6])
    assert [w.name for w in linear_weights(model)][:3] == ["conv.weight", "up.weight", "fc.weight"]  # parameter order
    assert "Conv1D" in TRANSPOSED_LINEAR


def test_all_params_adds_every_other_matrix_reshaped():
    torch.manual_seed(0)
    model = Zoo()
    plain = {w.name for w in linear_weights(model)}
    extra = {w.name: w for w in linear_weights(model, all_params=True) if w.name not in plain}
    factors = {"wn.parametrizations.weight.original0", "wn.parametrizations.weight.original1"}
    assert set(extra) == {"pos", "odd.weight"} | factors  # weight-norm factors too: every other >= 2-D parameter
    assert (extra["pos"].module_name, extra["pos"].module_type, extra["pos"].shape) == ("", "Parameter", (1, 20))
    assert (extra["odd.weight"].module_name, extra["odd.weight"].shape) == ("odd", (2, 4))
    assert torch.equal(extra["odd.weight"].matrix, model.odd.weight.detach().reshape(2, 4))
    assert len(linear_weights(model, all_params=True)) == len(plain) + 4
    assert [w.name for w in linear_weights(model)] == [w.name for w in linear_weights(model, all_params=False)]


def test_skipped_parameters_and_reasons():
    torch.manual_seed(0)
    model = Zoo()
    model.tied = nn.Linear(5, 7, bias=False)
    model.tied.weight = model.emb.weight  # a tied head (7 x 5, the embedding's own tensor)
    skipped = {s.name: s for s in skipped_parameters(model, linear_weights(model))}
    assert skipped["conv.bias"].reason == "bias: added, not a linear map"
    assert (skipped["conv.bias"].shape, skipped["conv.bias"].module_type) == ([6], "Conv2d")
    assert skipped["norm.weight"].reason.startswith("1-D parameter: an elementwise scale or shift")
    assert skipped["norm.weight"].module_type == "LayerNorm"
    assert skipped["scale"].reason == "scalar parameter" and skipped["scale"].module_type == "Zoo"
    assert skipped["pos"].reason.startswith("3-D parameter not applied as a matrix product by a known operator")
    assert skipped["pos"].reason.endswith("--all-params audits it as shape[0] x rest")
    assert skipped["odd.weight"].module_type == "Module" and skipped["odd.weight"].shape == [2, 2, 2]
    assert skipped["tied.weight"].reason == "tied to emb.weight (the same tensor, audited or skipped under that name)"
    assert skipped["tied.weight"].module_type == "Linear"
    factor = skipped["wn.parametrizations.weight.original0"]
    assert factor.module_type == "ParametrizedLinear"
    assert factor.reason == ("a factor of wn.weight (weight norm or another parametrisation): audited as the matrix "
                             "it computes")
    audited = {w.name for w in linear_weights(model)}
    names = {n for n, _ in model.named_parameters(remove_duplicate=False)}
    assert set(skipped) == names - audited
    assert skip_reason("lstm.bias_ih_l0", torch.zeros(3), "lstm.bias_ih_l0") == "bias: added, not a linear map"
    assert skip_reason("block.bias.scale", torch.zeros(3), "block.bias.scale").startswith("1-D parameter")


def test_recurrent_cells_and_projection():
    cell = nn.GRUCell(3, 2)
    weights = _by_name(linear_weights(cell))
    assert weights["weight_ih"].blocks == ("r", "z", "n") and weights["weight_ih"].module_name == ""
    proj = nn.LSTM(3, 4, proj_size=2)
    w = _by_name(linear_weights(proj))
    assert w["weight_hr_l0"].blocks == () and w["weight_hr_l0"].shape == (2, 4)
    assert set(w) == {"weight_ih_l0", "weight_hh_l0", "weight_hr_l0"}


def test_conv_transpose_groups_travel_with_the_module():
    up = nn.ConvTranspose1d(4, 2, 3, groups=2, bias=False)
    (w,) = linear_weights(up)
    assert w.groups == 2 and w.shape == (2 * 1 * 3, 2)
    assert torch.equal(w.matrix[:3], up.weight.detach()[:2, 0].T)


def test_conv2d_operator_matrix_defaults_and_chunks():
    torch.manual_seed(0)
    weight = torch.randn(3, 2, 2, 2)
    x = torch.randn(2 * 5 * 4, dtype=torch.float64)
    a = conv2d_operator_matrix(weight, (5, 4))  # stride 1, padding 0, dilation 1, groups 1
    assert a.shape == (3 * 4 * 3, 40) and a.dtype == torch.float64
    ref = F.conv2d(x.reshape(1, 2, 5, 4), weight.double()).reshape(-1)
    assert torch.allclose(a @ x, ref)
    assert torch.equal(conv2d_operator_matrix(weight, (5, 4), chunk=7), a)
    grouped = torch.randn(4, 1, 3, 3)
    g = conv2d_operator_matrix(grouped, (6, 6), stride=2, padding=1, dilation=2, groups=2)
    y = torch.randn(2 * 36, dtype=torch.float64)
    assert torch.allclose(g @ y, F.conv2d(y.reshape(1, 2, 6, 6), grouped.double(), None, 2, 1, 2, 2).reshape(-1))


def test_operator_null_space_record():
    null = conv1d_null_space(torch.randn(3, 2, 4, generator=torch.Generator().manual_seed(0)), 16, stride=4)
    record = null.to_dict()
    assert "basis" not in record and record["dim"] == 20 and record["method"] == "dense-svd-fp64"
    assert set(record) == set(OperatorNullSpace.__dataclass_fields__) - {"basis"}
    assert "20 singular value(s) of 32 at or below tau" in null.evidence and null.residual < 1e-10


def test_banded_certificate_record():
    """``x * [1, -1]`` zero-padded: ``lambda_high = ||A^T A||_inf = 4`` exactly, so ``sigma_max`` reads 2 and the cut
    ``tau = 2 rtol``; a certified record carries ``sqrt(shift)`` as its ``sigma_min``."""
    weight = torch.tensor([[[1.0, -1.0]]], dtype=torch.float64)
    null = conv1d_null_space(weight, 50, padding=1, rtol=1e-3, dense_limit=0)
    assert (null.dim, null.basis, null.rows, null.cols, null.certified) == (0, None, 51, 50, True)
    assert null.sigma_max == 2.0 and null.tolerance == pytest.approx(2e-3, rel=1e-12) and null.residual is None
    shift = 1e-6 * 4 + 4 * (1 * 2 + 1 + 1) * 2.0**-53 * 100  # rtol^2 lambda_high + delta
    assert null.sigma_min == pytest.approx(shift**0.5, rel=1e-9)
    assert f"every sigma > {shift ** 0.5:.3e} >= tau (a certificate)" in null.evidence
    wide = conv1d_null_space(torch.ones(1, 2, 3, dtype=torch.float64), 40, dense_limit=0)  # 38 x 80: not certified
    assert (wide.dim, wide.rows, wide.cols, wide.certified, wide.sigma_min, wide.basis) == (42, 38, 80, False, None, None)
    assert wide.sigma_max > 0 and wide.tolerance > 0 and wide.residual is None
    assert "structural lower bound max(cols - rows, 0) = 42 is given" in wide.evidence
    assert "80 inputs exceed the dense limit" in wide.evidence
    cut = float(wide.evidence.split("some sigma <= ")[1].split(";")[0])
    assert cut > wide.tolerance  # sqrt(shift) > tau: the shift adds delta to tau^2


@pytest.mark.parametrize("stride, padding, dilation, groups",
                         [(1, 0, 1, 1), ((2, 1), (1, 0), 1, 1), ((1, 2), (0, 1), (2, 1), 1), ((1, 3), 0, 1, 2)])
def test_k1_null_space_record_against_the_dense_operator(stride, padding, dilation, groups):
    torch.manual_seed(0)
    from nullsight.linalg import default_rtol
    from nullsight.operators import conv2d_k1_null_space

    weight = torch.randn(2 * groups, 3, 3, 1)  # (C_out, C_in/g, K, 1), 2 x 9 patches per group
    h, w = 9, 5
    null = conv2d_k1_null_space(weight, (h, w), stride, padding, dilation, groups)
    a = conv2d_operator_matrix(weight, (h, w), stride, padding, dilation, groups)
    s = torch.linalg.svdvals(a)
    rtol = default_rtol((2 * groups, 9), weight.dtype)
    assert (null.rows, null.cols) == tuple(a.shape)
    assert null.dim == a.shape[1] - int((s > rtol * s[0]).sum()) and null.certified
    assert null.basis.shape == (a.shape[1], null.dim)
    assert torch.allclose(null.basis.T @ null.basis, torch.eye(null.dim, dtype=torch.float64), atol=1e-10)
    assert float((a @ null.basis).abs().max()) < 1e-10 * null.sigma_max
    assert null.residual == pytest.approx(float((a @ null.basis).abs().max()), abs=1e-12)
    sw = stride[1] if isinstance(stride, tuple) else stride
    pw = padding[1] if isinstance(padding, tuple) else padding
    seen = len({j * sw - pw for j in range((w + 2 * pw - 1) // sw + 1)} & set(range(w)))
    assert (null.seen_columns, null.unseen_columns) == (seen, w - seen)
    assert null.method.startswith("(K,1) columns x ") and null.tolerance > 0
    assert ("are never seen" in null.evidence) == (seen < w)
    if seen < w or null.dim:  # a null space (skipped columns, or wide patches): no positive sigma_min
        assert null.sigma_min == 0.0
    else:
        assert null.sigma_min == pytest.approx(float(s[-1]), rel=1e-6)


def test_k1_null_space_rtol_reaches_the_columns():
    from nullsight.operators import conv2d_k1_null_space

    weight = torch.tensor([[[[1.0], [-1.0]]]], dtype=torch.float64)  # (1, 1, 2, 1): x * [1, -1] down each column
    loose = conv2d_k1_null_space(weight, (6, 2), padding=(1, 0), rtol=0.9)
    strict = conv2d_k1_null_space(weight, (6, 2), padding=(1, 0))
    assert strict.dim == 0 and loose.dim > 0 and loose.tolerance > strict.tolerance


class Holder(nn.Module):
    """A custom module with a 2-D ``weight`` it does not apply as a known operator, and a weight-normed child."""

    def __init__(self) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.randn(3, 4))
        self.wn = nn.utils.parametrizations.weight_norm(nn.Linear(3, 2))


def test_nested_and_shared_modules_own_their_parameters():
    """Names three levels deep keep their whole module path (``block.inner``, not ``block``); a parametrised weight
    belongs to the module it parametrises; a module registered twice owns its parameters under both names; an unknown
    module's 2-D ``weight`` is not taken for a transposed linear map."""
    torch.manual_seed(0)
    shared = nn.Linear(2, 2)
    model = nn.Sequential(OrderedDict(block=nn.Sequential(OrderedDict(inner=Holder())), a=shared, b=shared))
    plain = {w.name for w in linear_weights(model)}
    assert "block.inner.weight" not in plain and "block.inner.wn.weight" in plain
    extra = _by_name(linear_weights(model, all_params=True))
    assert extra["block.inner.weight"].module_name == "block.inner" and extra["block.inner.weight"].module_type == "Parameter"
    skipped = {s.name: s for s in skipped_parameters(model, linear_weights(model))}
    assert skipped["block.inner.weight"].module_type == "Holder"
    factor = skipped["block.inner.wn.parametrizations.weight.original1"]
    assert factor.module_type == "ParametrizedLinear" and factor.reason.startswith("a factor of block.inner.wn.weight")
    assert skipped["b.weight"].module_type == "Linear" and skipped["b.weight"].reason.startswith("tied to a.weight")
    unaudited = {s.name: s for s in skipped_parameters(model, [])}  # nothing audited: a factor is not "audited as"
    assert unaudited["block.inner.wn.parametrizations.weight.original1"].reason.startswith("2-D parameter")
    assert skip_reason("bias", torch.zeros(3), "bias") == "bias: added, not a linear map"  # a top-level bias


def test_conv_transpose_matrix_defaults_to_one_group():
    weight = torch.randn(4, 3, 2, 2)
    assert torch.equal(conv_transpose_matrix(weight), conv_transpose_matrix(weight, 1))
    assert conv_transpose_matrix(weight).shape == (3 * 2 * 2, 4)

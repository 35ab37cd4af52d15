"""The audit on small models whose answers can be computed by hand."""

import pytest
import torch
from torch import nn

from nullsight.audit import audit_model
from nullsight.errors import InvalidInputError, NonFiniteWeightError
from nullsight.models import MLP


def test_seed001_mlp_has_the_structural_figures():
    torch.manual_seed(0)
    audit = audit_model(MLP(), "mlp", torch.rand(1, 1, 28, 28))
    assert [l.nullity for l in audit.layers] == [784 - 32, 32 - 16, 16 - 10]
    assert (audit.n_weights, audit.nu, audit.mu) == (3, 3, 3)
    assert audit.sum_nullity == audit.structural_sum_nullity == 774
    assert audit.nullity_first == 752 and audit.first_weight_found_by == "forward-trace"


class HeadFirst(nn.Module):
    """Registers its head before its stem: parameter order is not execution order."""

    def __init__(self) -> None:
        super().__init__()
        self.head = nn.Linear(8, 3)
        self.stem = nn.Conv2d(3, 8, 3)  # 8 x 27 -> nullity 19
        self.grouped = nn.Conv2d(8, 8, 3, groups=4, padding=1)  # 8 x 18; blocks 2 x 18 -> 16 each

    def forward(self, x):
        x = self.grouped(torch.relu(self.stem(x)))
        return self.head(x.mean(dim=(2, 3)))


def test_first_weight_is_found_by_tracing_not_by_parameter_order():
    torch.manual_seed(0)
    model = HeadFirst()
    audit = audit_model(model, "headfirst", torch.rand(1, 3, 16, 16))
    assert audit.first_weight == "stem.weight"
    assert audit.nullity_first == 19
    untraced = audit_model(model, "headfirst")
    assert untraced.first_weight == "head.weight" and untraced.first_weight_found_by == "parameter-order"


def test_grouped_convolution_is_also_reported_per_group():
    torch.manual_seed(0)
    layer = {l.name: l for l in audit_model(HeadFirst(), "m").layers}["grouped.weight"]
    assert (layer.rows, layer.cols, layer.nullity, layer.groups) == (8, 18, 10, 4)
    assert (layer.group_nullity_sum, layer.group_nullity_min, layer.group_nullity_max) == (64, 16, 16)


def test_numerical_rank_deficiency_is_counted_beyond_the_structure():
    model = nn.Sequential(nn.Linear(5, 5), nn.Linear(5, 4, bias=False))
    with torch.no_grad():
        model[0].weight.copy_(torch.randn(5, 2) @ torch.randn(2, 5))  # rank 2
        model[1].weight.zero_()
    audit = audit_model(model, "m", torch.rand(1, 5))
    assert [l.nullity for l in audit.layers] == [3, 5]
    assert [l.structural_nullity for l in audit.layers] == [0, 1]
    assert (audit.nu, audit.structural_nu, audit.mu) == (2, 1, 1)


def test_attention_and_transposed_convolution_are_linear_operators():
    model = nn.ModuleDict({"attn": nn.MultiheadAttention(16, 4), "up": nn.ConvTranspose2d(6, 4, 2, stride=2)})
    shapes = {l.name: (l.rows, l.cols) for l in audit_model(model, "m").layers}
    assert shapes == {"attn.in_proj_weight": (48, 16), "attn.out_proj.weight": (16, 16), "up.weight": (16, 6)}


def test_exception_on_nan_weight_names_the_layer():
    model = MLP()
    with torch.no_grad():
        model.layers[3].weight[0, 0] = float("nan")
    with pytest.raises(NonFiniteWeightError, match=r"layers\.3\.weight \(1 value\)"):
        audit_model(model, "mlp")


def test_exception_on_model_without_matrices():
    with pytest.raises(InvalidInputError, match="no weight"):
        audit_model(nn.Sequential(nn.ReLU(), nn.BatchNorm1d(3)), "m")


def test_json_has_the_documented_keys():
    data = audit_model(MLP(), "mlp").to_dict()
    for key in ("model", "n_weights", "nu", "nu_pct", "mu", "mu_pct", "sum_nullity", "structural_sum_nullity",
                "nullity_first", "layers"):
        assert key in data
    for key in ("name", "rows", "cols", "rank", "nullity", "structural_nullity", "sigma_max", "sigma_min"):
        assert key in data["layers"][0]

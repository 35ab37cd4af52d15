"""The README's "Your own model" factories (examples/): each audits through its factory spec."""

from pathlib import Path

import pytest
import torch
from torch import nn

from nullsight.audit.runner import audit_spec
from nullsight.models import load_model
from nullsight.operators import conv1d_null_space


@pytest.fixture(autouse=True)
def repo_on_path(monkeypatch):
    """What ``PYTHONPATH=.`` does for a user running nullsight from the repository root."""
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[2]))


def test_tabular_mlp():
    audit = audit_spec("examples.tabular_mlp:build")
    assert audit.input_size == [20] and audit.first_weight == "net.0.weight"
    assert [(l.rows, l.cols, l.nullity) for l in audit.layers] == [(64, 20, 0), (16, 64, 48), (3, 16, 13)]
    assert {s.name for s in audit.skipped} == {"net.0.bias", "net.2.bias", "net.4.bias"}


def test_conv1d_net_and_its_first_operator_null_space():
    audit = audit_spec("examples.conv1d_net:build")
    assert audit.input_size == [1, 64] and audit.first_weight == "features.0.weight"
    first = {l.name: l for l in audit.layers}["features.0.weight"]
    assert (first.rows, first.cols, first.nullity, first.module_type) == (2, 4, 2, "Conv1d")
    conv = load_model("examples.conv1d_net:build").module.features[0]
    null = conv1d_null_space(conv.weight, 64, stride=4)
    assert null.dim == 32 and null.certified and null.residual < 1e-10 * null.sigma_max
    x = torch.rand(1, 1, 64, dtype=torch.float64)
    x_hat = x + null.basis[:, :1].T.reshape(1, 1, 64)  # a different signal, the same first-layer output
    assert torch.allclose(nn.functional.conv1d(x, conv.weight.double(), None, 4),
                          nn.functional.conv1d(x_hat, conv.weight.double(), None, 4), atol=1e-12)
    second = load_model("examples.conv1d_net:build").module.features[2]  # overlapping, zero-padded: the honest answer
    none = conv1d_null_space(second.weight, 16, stride=2, padding=2)
    assert none.dim == 0 and "no exact collision" in none.evidence


def test_lstm_encoder_lists_its_recurrent_weights_and_meets_weight_ih_l0_first():
    audit = audit_spec("examples.lstm_encoder:build")
    assert audit.first_weight == "lstm.weight_ih_l0" and audit.first_weight_found_by == "forward-trace"
    layers = {l.name: l for l in audit.layers}
    assert set(layers) == {"lstm.weight_ih_l0", "lstm.weight_hh_l0", "lstm.weight_ih_l1", "lstm.weight_hh_l1",
                           "head.weight"}
    assert (layers["lstm.weight_ih_l0"].rows, layers["lstm.weight_ih_l0"].cols) == (64, 6)
    assert layers["lstm.weight_ih_l0"].blocks == {"i": 0, "f": 0, "g": 0, "o": 0}
    assert all(s.reason.startswith("bias") for s in audit.skipped) and len(audit.skipped) == 5  # 4 LSTM biases, the head's

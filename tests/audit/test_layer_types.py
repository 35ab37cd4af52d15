"""Every layer type in the audit: recurrent weights (and their gates), embeddings, 1-D/3-D convolutions, custom
modules' matrices; every parameter not audited is listed with the reason."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from nullsight.audit import audit_model
from nullsight.audit.output import rich_tables, skipped_rows


class LSTMEncoder(nn.Module):
    """A sequence (B, T, 8) -> LSTM (2 layers, hidden 4) -> Linear on the last state."""

    def __init__(self) -> None:
        super().__init__()
        self.head = nn.Linear(4, 3)  # registered first: parameter order is not execution order
        self.lstm = nn.LSTM(8, 4, num_layers=2, batch_first=True)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1])


def _all_names(model):
    return {n for n, _ in model.named_parameters(remove_duplicate=False)}


def test_lstm_weights_and_gate_blocks_are_audited_and_weight_ih_l0_is_first():
    torch.manual_seed(0)
    model = LSTMEncoder()
    audit = audit_model(model, "lstm", torch.rand(1, 5, 8))
    layers = {l.name: l for l in audit.layers}
    assert audit.first_weight == "lstm.weight_ih_l0" and audit.first_weight_found_by == "forward-trace"
    ih0 = layers["lstm.weight_ih_l0"]
    assert (ih0.rows, ih0.cols, ih0.nullity, ih0.module_type) == (16, 8, 0, "LSTM")
    assert ih0.blocks == {"i": 4, "f": 4, "g": 4, "o": 4}  # each gate is 4 x 8: nullity 4
    assert layers["lstm.weight_hh_l1"].blocks == {"i": 0, "f": 0, "g": 0, "o": 0}
    assert audit.nullity_first == 0
    assert {l.name for l in audit.layers} >= {f"lstm.weight_{k}_l{i}" for k in ("ih", "hh") for i in (0, 1)}
    assert {s.name for s in audit.skipped} == {f"lstm.bias_{k}_l{i}" for k in ("ih", "hh") for i in (0, 1)} | {"head.bias"}
    assert all(s.reason.startswith("bias") for s in audit.skipped)


@pytest.mark.parametrize("cls, gates", [(nn.GRU, ("r", "z", "n")), (nn.RNN, None), (nn.GRUCell, ("r", "z", "n"))])
def test_gru_rnn_and_cells(cls, gates):
    model = nn.ModuleDict({"rnn": cls(6, 3)})
    layers = {l.name: l for l in audit_model(model, "m").layers}
    assert set(layers) == {"rnn.weight_ih_l0", "rnn.weight_hh_l0"} or set(layers) == {"rnn.weight_ih", "rnn.weight_hh"}
    ih = next(l for n, l in layers.items() if n.startswith("rnn.weight_ih"))
    assert ih.cols == 6 and ih.rows == 3 * (len(gates) if gates else 1)
    assert ih.blocks == ({g: 3 for g in gates} if gates else None)


def test_bidirectional_and_projected_lstm():
    model = nn.ModuleDict({"rnn": nn.LSTM(5, 4, bidirectional=True, proj_size=2)})
    names = {l.name: (l.rows, l.cols) for l in audit_model(model, "m").layers}
    assert names["rnn.weight_ih_l0_reverse"] == (16, 5)
    assert names["rnn.weight_hh_l0"] == (16, 2) and names["rnn.weight_hr_l0"] == (2, 4)


@settings(max_examples=15, deadline=None)
@given(vocab=st.integers(1, 40), dim=st.integers(1, 12))
def test_embedding_is_the_map_from_one_hot_inputs(vocab, dim):
    torch.manual_seed(0)
    (layer,) = audit_model(nn.ModuleDict({"emb": nn.Embedding(vocab, dim)}), "m").layers
    assert (layer.rows, layer.cols, layer.orientation) == (dim, vocab, "transposed")
    assert layer.nullity == vocab - min(vocab, dim)  # generic weights: full rank


def test_embedding_is_first_for_a_token_model_and_a_tied_head_is_listed():
    class Tokens(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(20, 6)
            self.head = nn.Linear(6, 20, bias=False)
            self.head.weight = self.emb.weight  # tied

        def forward(self, ids):
            return self.head(self.emb(ids))

    model = Tokens()
    audit = audit_model(model, "tok", torch.randint(0, 20, (1, 4)))
    assert audit.first_weight == "emb.weight" and audit.nullity_first == 14
    (skip,) = audit.skipped
    assert skip.name == "head.weight" and "tied to emb.weight" in skip.reason


def test_conv1d_and_conv3d():
    model = nn.ModuleDict({"c1": nn.Conv1d(2, 4, 3), "c3": nn.Conv3d(1, 2, 2)})
    layers = {l.name: (l.rows, l.cols, l.nullity) for l in audit_model(model, "m").layers}
    assert layers == {"c1.weight": (4, 6, 2), "c3.weight": (2, 8, 6)}


class XW(nn.Module):
    """A custom module applying ``x @ W`` with W stored in x out, plus an added 2-D offset."""

    def __init__(self, n_in, n_out):
        super().__init__()
        self.w = nn.Parameter(torch.randn(n_in, n_out))

    def forward(self, x):
        return x @ self.w


class Custom(nn.Module):
    def __init__(self):
        super().__init__()
        self.offset = nn.Parameter(torch.zeros(3, 10))  # added, not multiplied
        self.proj = XW(10, 4)

    def forward(self, x):
        return self.proj(x + self.offset)


def test_custom_module_matrix_is_audited_in_its_traced_orientation():
    torch.manual_seed(0)
    model = Custom()
    audit = audit_model(model, "custom", torch.rand(2, 3, 10))
    (layer,) = audit.layers
    assert (layer.name, layer.rows, layer.cols, layer.nullity) == ("proj.w", 4, 10, 6)
    assert layer.orientation == "transposed (traced)"
    (skip,) = audit.skipped
    assert skip.name == "offset" and "--all-params" in skip.reason
    with pytest.raises(Exception, match="no weight"):
        audit_model(model, "custom")  # untraced: its matrix is skipped, with the reason


def test_nothing_is_skipped_silently():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.Flatten(), nn.LayerNorm(4 * 6 * 6),
                          nn.Linear(144, 5), nn.PReLU())
    audit = audit_model(model, "m", torch.rand(1, 3, 8, 8))
    assert {l.name for l in audit.layers} | {s.name for s in audit.skipped} == _all_names(model)
    reasons = {s.name: s.reason for s in audit.skipped}
    assert reasons["1.weight"].startswith("1-D parameter") and reasons["0.bias"].startswith("bias")
    assert [row[1] for row in skipped_rows(audit)] == [4, 3]  # 4 biases, 3 scales (BN, LN, PReLU)
    assert any("not audited" in str(t.title) for t in rich_tables([audit], layers=False))
    back = type(audit).from_dict(audit.to_dict())
    assert back.skipped == audit.skipped and back.layers == audit.layers


def test_half_precision_weights_are_ranked_at_fp32():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(1500, 1200)).half()  # eps(fp16) * 1500 > 1: every matrix would be rank 0
    (layer,) = audit_model(model, "m").layers
    assert layer.rank == 1200 and layer.rtol == pytest.approx(1500 * torch.finfo(torch.float32).eps)


def test_report_section_lists_the_skipped_parameters():
    from nullsight.audit.report import audit_sections

    audit = audit_model(LSTMEncoder(), "lstm", torch.rand(1, 5, 8))
    (_, detail) = audit_sections([audit])
    (table,) = detail.tables
    assert table.rows[0][:2] == ["bias: added, not a linear map", 5]


def test_markdown_output_lists_the_skipped_parameters():
    from nullsight.audit.output import to_markdown

    text = to_markdown([audit_model(LSTMEncoder(), "lstm", torch.rand(1, 5, 8))])
    assert "5 parameter(s) not audited" in text and "| bias: added, not a linear map | 5 |" in text


@pytest.mark.parametrize("norm", ["parametrize", "legacy"])
def test_weight_normed_layers_are_audited_as_the_matrix_they_compute(norm):
    torch.manual_seed(0)
    conv = nn.Conv1d(2, 3, 4)
    conv = (nn.utils.parametrizations.weight_norm(conv) if norm == "parametrize" else nn.utils.weight_norm(conv))
    model = nn.Sequential(conv, nn.Flatten(), nn.Linear(3 * 5, 2))
    audit = audit_model(model, "m", torch.rand(1, 2, 8))
    assert [l.name for l in audit.layers] == ["0.weight", "2.weight"] and audit.first_weight == "0.weight"
    assert (audit.layers[0].rows, audit.layers[0].cols, audit.layers[0].nullity) == (3, 8, 5)
    factors = [s for s in audit.skipped if s.name.startswith("0.") and "bias" not in s.name]
    assert len(factors) == 2 and all(s.reason.startswith("a factor of 0.weight") for s in factors)

"""Recurrent first layers: W_ih meets every time step alike, so each step is a patch (seed 000 on sequences)."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from nullsight.collisions import NullSpaceSearch
from nullsight.collisions.runner import record
from nullsight.errors import InvalidInputError


class Encoder(nn.Module):
    def __init__(self, rnn: nn.RNNBase, hidden: int) -> None:
        super().__init__()
        self.rnn, self.head = rnn, nn.Linear(hidden, 3)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out[:, -1])


@pytest.mark.parametrize("rnn, hidden, null", [(nn.LSTM(40, 4, batch_first=True), 4, 40 - 16),
                                               (nn.GRU(30, 4, batch_first=True, bidirectional=True), 8, 30 - 24),
                                               (nn.RNN(10, 3, batch_first=True), 3, 7)])
def test_sequences_collide_exactly_through_w_ih(rnn, hidden, null):
    torch.manual_seed(0)
    model = Encoder(rnn, hidden).eval()
    x = torch.randn(3, 9, rnn.input_size, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    search = NullSpaceSearch(model, None, None, (9, rnn.input_size), beta=0.5, per_patch=True)
    result = record(search, search(x))
    assert result.method == "patchify" and result.null_dim == null and result.exact
    assert result.max_rel_diff_fp64 <= 1e-9 and result.linf == pytest.approx(0.5)
    steps = result.perturbation.reshape(3, 9, -1)
    assert (steps.abs().amax(dim=2) > 0).all()                 # every time step is changed
    w = torch.cat([p.detach().double() for n, p in rnn.named_parameters() if n.startswith("weight_ih_l0")])
    assert (steps @ w.T).abs().max() < 1e-12                     # and every step is invisible to W_ih


def test_time_major_rnns_are_refused_in_one_line():
    class TimeMajor(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = nn.GRU(10, 3)

        def forward(self, x):
            return self.rnn(x.transpose(0, 1))[0][-1]

    with pytest.raises(InvalidInputError, match="batch_first"):
        NullSpaceSearch(TimeMajor().eval(), None, None, (5, 10)).prepare()

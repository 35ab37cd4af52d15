"""A tabular MLP for nullsight: ``nullsight audit examples.tabular_mlp:build``.

A factory is any function taking no arguments and returning an ``nn.Module``;
an ``input_size`` attribute on the module (the shape of one input, without the
batch) tells nullsight what to feed it.  Here: 20 features in, 3 classes out.
"""

from torch import nn


class TabularMLP(nn.Module):
    """``(B, 20)`` features -> ``(B, 3)`` logits; the first layer is 64 x 20, so it has no null space of its own."""

    input_size = (20,)

    def __init__(self, features: int = 20, hidden: int = 64, classes: int = 3) -> None:
        super().__init__()
        self.input_size = (features,)
        self.net = nn.Sequential(nn.Linear(features, hidden), nn.ReLU(), nn.Linear(hidden, 16), nn.ReLU(),
                                 nn.Linear(16, classes))

    def forward(self, x):
        return self.net(x)


def build() -> nn.Module:
    return TabularMLP()

"""A tiny CNN classifier (random weights, seeded) on 3x8x8 images: enough to exercise the mask optimiser."""

import pytest
import torch
from torch import nn

from nullsight.normalization import Normalization


@pytest.fixture
def tiny():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(2), nn.Flatten(), nn.Linear(32, 4))
    model.eval()
    x = torch.rand(6, 3, 8, 8, generator=torch.Generator().manual_seed(1))
    norm = Normalization.of([0.5] * 3, [0.25] * 3)
    with torch.no_grad():
        y = model(norm.to_model(x)).argmax(1)
    return model, norm, x, y

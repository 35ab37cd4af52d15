"""The first operator found on the meta device, and what happened to the input before it."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from nullsight.atlas.stem import find_stem


class Normalised(nn.Module):
    """Normalises per channel, then an overlapping convolution (what an in-model normalisation looks like)."""

    def __init__(self) -> None:
        super().__init__()
        self.register_buffer("mean", torch.tensor([0.5, 0.4, 0.3]).view(1, 3, 1, 1))
        self.conv = nn.Conv2d(3, 8, 3, stride=2, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv((x - self.mean) / 0.25)


class Resized(nn.Module):
    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size
        self.conv = nn.Conv2d(3, 8, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(F.interpolate(x, size=(self.size, self.size), mode="bilinear"))


class Squared(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(x * x)


class Tokens(nn.Module):
    """Patches cut with views and a permute, then a Linear on each (naflexvit's embedding)."""

    def __init__(self) -> None:
        super().__init__()
        self.proj = nn.Linear(3 * 4 * 4, 16)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b = x.shape[0]
        x = x.view(b, 3, 2, 4, 2, 4).permute(0, 2, 4, 1, 3, 5).reshape(b, 4, 48)
        return self.proj(x)


def meta(build) -> nn.Module:
    with torch.device("meta"):
        return build().eval()


def test_a_plain_mlp_is_fc() -> None:
    stem = find_stem(meta(lambda: nn.Sequential(nn.Flatten(), nn.Linear(12, 5), nn.ReLU(), nn.Linear(5, 2))), (3, 2, 2))
    assert stem.info.kind == "fc" and stem.signature.key() == "fc:12->5@-:k-:s-:p-:d-:g1"


def test_a_patch_embedding_is_patchify_and_normalisation_is_harmless() -> None:
    stem = find_stem(meta(lambda: nn.Sequential(nn.Conv2d(3, 8, 4, stride=4), nn.Flatten())), (3, 8, 8))
    assert stem.info.kind == "patchify" and stem.signature.kernel == (4, 4) and stem.reason is None
    normalised = find_stem(meta(Normalised), (3, 8, 8))
    assert normalised.info.kind == "conv" and normalised.signature.padding == ((1, 1), (1, 1))
    assert normalised.info.steps == ["sub", "div"] and "bijection" in normalised.notes[0]


def test_a_rearranged_linear_is_a_patchify_of_tokens() -> None:
    stem = find_stem(meta(Tokens), (3, 8, 8))
    assert stem.info.kind == "patchify" and stem.signature.spatial == (4,) and stem.signature.in_channels == 48


@pytest.mark.parametrize("size, decided", [(8, True), (6, False)])
def test_a_resize_first(size: int, decided: bool) -> None:
    stem = find_stem(meta(lambda: Resized(size)), (3, 8, 8))
    assert stem.info.kind == "resize"
    assert (stem.signature is not None) == decided
    if not decided:
        assert "interpolation" in stem.reason


def test_a_non_linear_step_first_is_undetermined() -> None:
    stem = find_stem(meta(Squared), (3, 8, 8))
    assert stem.info.kind == "transform" and stem.signature is None and "mul" in stem.reason


def test_tf_same_padding_is_asymmetric() -> None:
    timm = pytest.importorskip("timm")
    conv = meta(lambda: timm.layers.Conv2dSame(3, 8, 3, stride=2))
    stem = find_stem(nn.Sequential(conv), (3, 224, 224))
    assert stem.signature.padding == ((0, 1), (0, 1))


def test_a_model_without_a_linear_operator() -> None:
    stem = find_stem(nn.Sequential(nn.ReLU()), (3, 4, 4))
    assert stem.info is None and "no linear operator" in stem.reason

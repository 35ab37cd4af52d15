import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from nullsight.errors import InvalidInputError
from nullsight.masks import apply_mask, centred_spectrum


@settings(max_examples=25, deadline=None)
@given(b=st.integers(1, 3), c=st.sampled_from([1, 3]), h=st.integers(2, 17), w=st.integers(2, 17), seed=st.integers(0, 99))
def test_all_ones_mask_reproduces_the_image(b, c, h, w, seed):
    x = torch.rand(b, c, h, w, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    assert torch.allclose(apply_mask(x, torch.ones_like(x)), x, atol=1e-12)


def test_zero_mask_gives_zero_and_dc_mask_gives_the_mean():
    x = torch.rand(2, 3, 8, 8, dtype=torch.float64)
    assert torch.allclose(apply_mask(x, torch.zeros_like(x)), torch.zeros_like(x))
    dc = torch.zeros_like(x)
    dc[..., 0, 0] = 1
    assert torch.allclose(apply_mask(x, dc), x.mean((-2, -1), keepdim=True).expand_as(x))


def test_one_mask_broadcasts_over_the_batch():
    x = torch.rand(4, 1, 6, 6)
    m = torch.rand(1, 1, 6, 6)
    assert apply_mask(x, m).shape == x.shape


def test_exception_on_mismatched_sizes():
    with pytest.raises(InvalidInputError, match="does not fit"):
        apply_mask(torch.rand(2, 3, 8, 8), torch.ones(2, 3, 7, 8))
    with pytest.raises(InvalidInputError, match="B, C, H, W"):
        apply_mask(torch.rand(3, 8, 8), torch.ones(3, 8, 8))


def test_centred_spectrum_moves_dc_to_the_centre():
    m = torch.zeros(1, 1, 8, 8)
    m[..., 0, 0] = 1
    assert centred_spectrum(m)[0, 0, 4, 4] == 1

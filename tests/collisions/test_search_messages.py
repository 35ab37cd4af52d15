"""The collision search's checks at the door (collisions/search.py): each bad input gets one line that names the
problem and what to pass, for images and for other inputs alike; the perturbation's size follows ``beta``."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from nullsight.collisions.search import NullSpaceSearch
from nullsight.errors import InvalidInputError


def _image_search(**kwargs) -> NullSpaceSearch:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(3, 4, 4, stride=4), nn.Flatten(), nn.Linear(4 * 2 * 2, 3)).eval()
    return NullSpaceSearch(model, None, None, (3, 8, 8), bounds=(0.0, 1.0), **kwargs)


def _vector_search(**kwargs) -> NullSpaceSearch:
    torch.manual_seed(0)
    return NullSpaceSearch(nn.Sequential(nn.Linear(6, 2), nn.ReLU(), nn.Linear(2, 2)).eval(), None, None, (6,),
                           **kwargs)


def test_image_messages_name_the_problem_and_the_fix():
    search = _image_search()
    with pytest.raises(InvalidInputError, match=r"the image is 3x4x4 but the model takes 3x8x8 \(pass --resize to "
                                                r"resize it\)$"):
        search.check_images(torch.rand(1, 3, 4, 4))
    with pytest.raises(InvalidInputError, match=r"expected a batch of images of shape \[B, 3, 8, 8\], got \[3, 8, 8\]"):
        search.check_images(torch.rand(3, 8, 8))
    with pytest.raises(InvalidInputError, match=r"got list$"):
        search.check_images([1.0])
    bad = torch.rand(2, 3, 8, 8)
    bad[0, 0, 0, :3] = float("nan")
    with pytest.raises(InvalidInputError, match=r"the input holds 3 NaN/Inf value\(s\)"):
        search.check_images(bad)
    with pytest.raises(InvalidInputError, match=r"^pixel values must lie in \[0, 1\], got \[-0\.5, 1\.25\]$"):
        search.check_images(torch.tensor([-0.5, 1.25]).repeat(96)[:192].reshape(1, 3, 8, 8))
    good = search.check_images(torch.rand(2, 3, 8, 8))
    assert good.dtype == torch.float64 and good.shape == (2, 3, 8, 8)


def test_other_inputs_say_input_values_and_input_size():
    search = _vector_search(bounds=(-1.0, 1.0))
    with pytest.raises(InvalidInputError, match=r"is 5 but the model takes 6 \(pass --input-size to name the "
                                                r"model's input\)$"):
        search.check_images(torch.zeros(1, 5))
    with pytest.raises(InvalidInputError, match=r"^input values must lie in \[-1, 1\], got \[-2, 0\]$"):
        search.check_images(torch.tensor([[-2.0, 0.0, 0.0, 0.0, 0.0, 0.0]]))


def test_perturbation_has_the_asked_size_and_box_needs_bounds():
    search = _vector_search()
    x = torch.zeros(2, 6, dtype=torch.float64)
    p, box = search.perturb(x)
    assert box is None and p.shape == (2, 6) and p.abs().max().item() == pytest.approx(0.05)
    p2, _ = search.perturb(x, beta=0.2)
    assert p2.abs().max().item() == pytest.approx(0.2) and torch.allclose(p2, 4 * p)
    with pytest.raises(InvalidInputError, match=r"^--box needs a valid input range: pass --bounds LO,HI$"):
        _vector_search(box=True).perturb(x)

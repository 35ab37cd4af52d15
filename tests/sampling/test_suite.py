"""The perturbation suite: batched equals one at a time; names and eps checked at the door."""

import pytest
import torch

from nullsight.errors import InvalidInputError
from nullsight.models.nula import Nula
from nullsight.normalization import PM1
from nullsight.sampling.perturbations import CARD_SUITE, PERTURBATIONS, resolve
from nullsight.sampling.suite import suite_accuracy


def test_batched_equals_one_at_a_time():
    torch.manual_seed(0)
    model = Nula(width=0.125).eval()
    pixels, labels = torch.rand(12, 3, 32, 32), torch.randint(0, 10, (12,))
    chosen = [resolve(n) for n in CARD_SUITE]
    assert suite_accuracy(model, pixels, labels, chosen, PM1.to_model, 5) == suite_accuracy(model, pixels, labels, chosen, PM1.to_model, 1)


def test_card_rows_carry_the_papers_figures():
    assert [PERTURBATIONS.get(n).paper_base for n in CARD_SUITE] == [91.95, 59.83, 24.82, 30.03, 75.47, 44.99]
    assert [PERTURBATIONS.get(n).paper_robust for n in CARD_SUITE] == [89.42, 85.37, 71.80, 85.02, 89.43, 89.39]


def test_checkerboard_any_eps_and_bad_input():
    x = torch.zeros(1, 1, 2, 2)
    assert resolve("checkerboard-0.1").apply(x).flatten().tolist() == pytest.approx([0.1, -0.1, -0.1, 0.1])
    with pytest.raises(InvalidInputError, match=r"\[0, 1\]"):
        resolve("checkerboard-1.5")
    with pytest.raises(InvalidInputError, match="did you mean"):
        resolve("decimate-3")


def test_clip_keeps_images_in_the_box():
    torch.manual_seed(0)
    model = Nula(width=0.125).eval()
    pixels, labels = torch.rand(6, 3, 32, 32), torch.randint(0, 10, (6,))
    board = resolve("checkerboard-0.5")
    with torch.no_grad():
        expected = float((model(PM1.to_model(board.apply(pixels).clamp(0, 1))).argmax(1) == labels).float().mean())
        unclipped = float((model(PM1.to_model(board.apply(pixels))).argmax(1) == labels).float().mean())
    assert suite_accuracy(model, pixels, labels, [board], PM1.to_model, 4, clip=True)["checkerboard-0.5"] == expected
    assert suite_accuracy(model, pixels, labels, [board], PM1.to_model, 4)["checkerboard-0.5"] == unclipped

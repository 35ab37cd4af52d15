import pytest
import torch

from nullsight.errors import InvalidInputError
from nullsight.masks import MaskConfig
from nullsight.masks.sets import AttackSpec, adversarial_masks, essential_masks

FAST = MaskConfig(lam=0.05, min_steps=5, max_steps=5)


@pytest.mark.parametrize("text,name,eps,label", [
    ("fmn", "fmn", None, "fmn"), ("deepfool", "deepfool", None, "deepfool"), ("pgd", "pgd", 8 / 255, "pgd@8/255"),
    ("pgd:1/255", "pgd", 1 / 255, "pgd@1/255"), ("pgd:0.5", "pgd", 0.5, "pgd@255/2/255"), ("pgd:1e-6", "pgd", 1e-6, "pgd@1e-06")])
def test_attack_spec_parse(text, name, eps, label):
    spec = AttackSpec.parse(text)
    assert spec.name == name
    assert spec.eps == (pytest.approx(eps) if eps else None)
    assert spec.label == label


def test_exception_unknown_attack_or_budget():
    with pytest.raises(InvalidInputError):
        AttackSpec.parse("nope")
    with pytest.raises(InvalidInputError, match="budget"):
        AttackSpec.parse("pgd:abc")


def test_essential_masks_only_for_correct_images(tiny):
    model, norm, x, y = tiny
    labels = y.clone()
    labels[0] = (labels[0] + 1) % 4  # one image now misclassified
    s = essential_masks(model, norm, x, labels, FAST)
    assert 0 not in s.indices and len(s.indices) == len(x) - 1
    assert s.fit.masks.shape == (len(x) - 1, *x.shape[1:])


def test_attack_failing_everywhere_gives_an_empty_set(tiny):
    model, norm, x, y = tiny
    s = adversarial_masks(model, norm, x, y, list(range(len(x))), AttackSpec("pgd", 1e-7), FAST, attack_steps=1)
    assert s.success_rate == 0.0 and s.fit is None and s.indices == []

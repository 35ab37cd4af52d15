"""Models by name, seeded random init, and the errors for names that do not exist."""

import pytest
import torch

from nullsight.errors import ModelNotFoundError
from nullsight.models import load_model


def test_sources_resolve_by_prefix():
    assert load_model("torchvision:squeezenet1_1").source == "torchvision"
    timm_model = load_model("timm:deit_tiny_patch16_224")
    assert timm_model.source == "timm" and timm_model.input_size == (3, 224, 224)
    assert load_model("nullsight.models.mlp:MLP").source == "factory"
    assert load_model("torchvision:lraspp_mobilenet_v3_large").task == "segmentation"


def test_bare_names_and_seeded_init():
    a, b = load_model("squeezenet1_1", seed=3), load_model("squeezenet1_1", seed=3)
    assert a.spec == "torchvision:squeezenet1_1"
    assert torch.equal(a.module.features[0].weight, b.module.features[0].weight)
    c = load_model("squeezenet1_1", seed=4)
    assert not torch.equal(a.module.features[0].weight, c.module.features[0].weight)


def test_unknown_name_suggests_close_ones():
    with pytest.raises(ModelNotFoundError, match="did you mean.*resnet50"):
        load_model("torchvision:resnet5O")


def test_weights_only_checkpoint_needs_an_arch(tmp_path):
    path = tmp_path / "w.pth"
    torch.save({"w": torch.ones(2, 2)}, path)
    with pytest.raises(ModelNotFoundError, match="--arch"):
        load_model(str(path))


def test_parametric_mlp_sizes_and_input_shape():
    loaded = load_model("nullsight:mlp-3072-32-16-10")
    assert loaded.input_size == (3, 32, 32)
    assert loaded.module(loaded.example_input()).shape == (1, 10)
    from nullsight.models.zoo import mlp_arch_for

    assert mlp_arch_for((1, 28, 28), 10) == "nullsight:mlp"
    assert mlp_arch_for((1, 28, 28), 47) == "nullsight:mlp-784-32-16-47"

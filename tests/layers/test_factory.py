import pytest
from torch import nn

from nullsight.errors import InvalidInputError
from nullsight.layers import BlurPool2d, SqueezeExcite, create_attention, create_downsample


def test_factory_builds_layers_and_identities():
    assert isinstance(create_downsample("blur", 8), BlurPool2d)
    assert isinstance(create_downsample("stride", 8), nn.Identity)
    assert isinstance(create_downsample(None, 8), nn.Identity)
    assert isinstance(create_attention("se", 8), SqueezeExcite)
    assert isinstance(create_attention(None, 8), nn.Identity)


def test_unknown_names_suggest():
    with pytest.raises(InvalidInputError, match="blur"):
        create_downsample("blurr", 8)


def test_a_registered_downsampling_layer_gets_the_channel_count(recording_downsample):
    """A builder added to the registry (a plugin's layer) is called with the block's input channels."""
    name, seen = recording_downsample
    create_downsample(name, 24)
    assert seen[-1:] == [24]

import pytest
import torch

from nullsight.errors import InvalidInputError, ModelNotFoundError
from nullsight.layers import BlurPool2d, SqueezeExcite
from nullsight.models import load_model
from nullsight.models.nula import NULA_PARAMS, Nula, nula_from_name, nula_name, to_rgb


def _params(model):
    return sum(p.numel() for p in model.parameters())


def test_full_width_has_the_cards_5_22m_parameters():
    model = Nula()
    assert _params(model) == NULA_PARAMS == 5_219_650
    assert round(_params(model) / 1e6, 2) == 5.22
    assert "5.22M" in repr(model)


def test_architecture_as_the_card_says():
    model = Nula()
    assert (model.stem[0].in_channels, model.stem[0].out_channels, model.stem[0].kernel_size) == (3, 128, (3, 3))
    assert isinstance(model.stage1.down, torch.nn.Identity)
    assert isinstance(model.stage2.down, BlurPool2d) and isinstance(model.stage3.down, BlurPool2d)
    assert [m.fc1.out_channels for m in model.modules() if isinstance(m, SqueezeExcite)] == [8, 16, 32]
    head = model.head
    assert (head[0].in_features, head[0].out_features, head[2].p, head[3].out_features) == (512, 512, 0.3, 10)
    assert isinstance(head[1], torch.nn.SiLU)


def test_forward_shapes_and_stage_resolutions():
    model = Nula(width=0.125).eval()
    x = torch.rand(2, 3, 32, 32)
    s1 = model.stage1(model.stem(x))
    s2 = model.stage2(s1)
    assert s1.shape[-1] == 32 and s2.shape[-1] == 16 and model.stage3(s2).shape[-1] == 8
    assert model(x).shape == (2, 10)


def test_ablation_switches():
    strided, plain = Nula(width=0.25, downsample="stride"), Nula(width=0.25, se=False)
    assert not any(isinstance(m, BlurPool2d) for m in strided.modules())
    assert strided.stage2.conv1.stride == (2, 2) and strided.stage2.shortcut[0].stride == (2, 2)
    assert not any(isinstance(m, SqueezeExcite) for m in plain.modules())
    assert _params(strided) == _params(Nula(width=0.25))  # blurring has no weights
    assert strided(torch.rand(1, 3, 32, 32)).shape == (1, 10)


@pytest.mark.parametrize("name", ["nula", "nula-w0.25", "nula-w0.5-strided", "nula-w0.25-nose", "nula-w0.125-strided-nose"])
def test_names_round_trip(name):
    model = nula_from_name(name)
    assert nula_name(model.width, model.downsample_kind, model.use_se) == name


def test_zoo_loads_nula_by_name():
    loaded = load_model("nullsight:nula-w0.25-strided")
    assert loaded.input_size == (3, 32, 32)
    assert loaded.module.downsample_kind == "stride" and loaded.module.width == 0.25
    assert _params(load_model("nullsight:nula").module) == NULA_PARAMS
    with pytest.raises(ModelNotFoundError):
        load_model("nullsight:nula-wide")


def test_to_rgb_converts_like_pil():
    from PIL import Image
    import numpy as np

    gray = torch.rand(1, 1, 4, 4)
    assert torch.equal(to_rgb(gray), gray.expand(1, 3, 4, 4))
    rgba = torch.rand(1, 4, 4, 4)
    pil = Image.fromarray((rgba[0].permute(1, 2, 0).numpy() * 255).astype(np.uint8), "RGBA").convert("RGB")
    expected = torch.from_numpy(np.array(pil)).permute(2, 0, 1).float() / 255
    assert torch.allclose(to_rgb((rgba * 255).to(torch.uint8).float() / 255)[0], expected)
    with pytest.raises(InvalidInputError, match="channel"):
        to_rgb(torch.rand(1, 5, 4, 4))


def test_bad_width():
    with pytest.raises(InvalidInputError):
        Nula(width=0)


def test_a_block_adds_its_shortcut_and_has_se_by_default():
    """forward = SiLU(SE(BN(conv2(SiLU(BN(conv1(down(x))))))) + shortcut(down(x))), with SE unless se=False."""
    from nullsight.models.nula import NulaBlock

    torch.manual_seed(0)
    block = NulaBlock(4, 6).double().eval()
    assert isinstance(block.se, SqueezeExcite) and not isinstance(NulaBlock(4, 6, se=False).se, SqueezeExcite)
    x = torch.randn(2, 4, 8, 8, dtype=torch.float64)
    act = torch.nn.functional.silu
    residual = block.se(block.bn2(block.conv2(act(block.bn1(block.conv1(x))))))
    assert torch.allclose(block(x), act(residual + block.shortcut(x)), atol=1e-12)


@pytest.mark.parametrize("width,channels", [(0.25, (32, 32, 64, 128)), (0.5, (64, 64, 128, 256)),
                                            (0.001, (1, 1, 1, 1))])
def test_width_scales_every_channel_count(width, channels):
    model = Nula(width=width)
    got = (model.stem[0].out_channels, model.stage1.conv2.out_channels, model.stage2.conv2.out_channels,
           model.stage3.conv2.out_channels)
    assert got == channels
    assert isinstance(model.stem[2], torch.nn.SiLU) and model.stem[0].bias is None


def test_default_name_is_the_cards_model():
    assert nula_name() == "nula"
    assert nula_name(0.25) == "nula-w0.25"


def test_to_rgb_of_gray_with_alpha_and_batches():
    la = torch.rand(3, 2, 4, 4)  # L with alpha: luminance replicated, alpha dropped (PIL's LA -> RGB)
    assert torch.equal(to_rgb(la), la[:, :1].expand(3, 3, 4, 4))
    assert to_rgb(torch.rand(2, 1, 4, 4)).shape == (2, 3, 4, 4)
    with pytest.raises(InvalidInputError, match=r"expected images \(B, C, H, W\), got shape \(1, 4, 4\)"):
        to_rgb(torch.rand(1, 4, 4))


def test_bad_width_message():
    with pytest.raises(InvalidInputError, match="NULA width must be positive, got -1"):
        Nula(width=-1)


def test_a_registered_downsampling_layer_is_built_with_the_blocks_input_channels(recording_downsample):
    from nullsight.models.nula import NulaBlock

    name, seen = recording_downsample
    NulaBlock(5, 7, downsample=name)
    assert seen[-1:] == [5]

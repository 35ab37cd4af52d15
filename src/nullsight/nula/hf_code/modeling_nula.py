"""NULA for transformers (seed 004's card): anti-aliased residual CNN, BlurPool + SE (written by ``nullsight export-hf``).

A standalone copy of ``nullsight.models.nula.Nula`` with the same parameter
names (under ``nula.``); the blur kernel is built in ``forward`` on the input's
device and dtype, so the checkpoint holds only learned weights.
"""

import torch
from torch import nn
from torch.nn import functional as F
from transformers import PreTrainedModel
from transformers.modeling_outputs import ImageClassifierOutput

try:
    from .configuration_nula import NulaConfig
except ImportError:  # loaded as a plain module
    from configuration_nula import NulaConfig


def blur_pool2d(x):
    row = torch.tensor([1.0, 2.0, 1.0], dtype=x.dtype, device=x.device)
    kernel = torch.outer(row, row) / 16
    c = x.shape[1]
    return F.conv2d(F.pad(x, (1, 1, 1, 1), mode="reflect"), kernel.expand(c, 1, 3, 3), stride=2, groups=c)


class BlurPool2d(nn.Module):
    def forward(self, x):
        return blur_pool2d(x)


class SqueezeExcite(nn.Module):
    def __init__(self, channels, reduction=16):
        super().__init__()
        hidden = max(channels // reduction, 1)
        self.fc1, self.act = nn.Conv2d(channels, hidden, 1), nn.ReLU()
        self.fc2, self.gate = nn.Conv2d(hidden, channels, 1), nn.Sigmoid()

    def forward(self, x):
        return x * self.gate(self.fc2(self.act(self.fc1(x.mean((2, 3), keepdim=True)))))


class NulaBlock(nn.Module):
    def __init__(self, cin, cout, downsample=None, se=True):
        super().__init__()
        stride = 2 if downsample == "stride" else 1
        self.down = BlurPool2d() if downsample == "blur" else nn.Identity()
        self.conv1, self.bn1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout)
        self.conv2, self.bn2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout)
        self.se = SqueezeExcite(cout) if se else nn.Identity()
        self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
        self.act = nn.SiLU()

    def forward(self, x):
        x = self.down(x)
        out = self.act(self.bn1(self.conv1(x)))
        return self.act(self.se(self.bn2(self.conv2(out))) + self.shortcut(x))


class Nula(nn.Module):
    def __init__(self, num_classes=10, width=1.0, downsample="blur", se=True, dropout=0.3, in_channels=3):
        super().__init__()
        stem, c1, c2, c3 = (max(1, round(c * width)) for c in (128, 128, 256, 512))
        self.stem = nn.Sequential(nn.Conv2d(in_channels, stem, 3, 1, 1, bias=False), nn.BatchNorm2d(stem), nn.SiLU())
        self.stage1 = NulaBlock(stem, c1, None, se)
        self.stage2 = NulaBlock(c1, c2, downsample, se)
        self.stage3 = NulaBlock(c2, c3, downsample, se)
        self.pool = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.head = nn.Sequential(nn.Linear(c3, c3), nn.SiLU(), nn.Dropout(dropout), nn.Linear(c3, num_classes))

    def forward(self, x):
        return self.head(self.pool(self.stage3(self.stage2(self.stage1(self.stem(x))))))


class NulaForImageClassification(PreTrainedModel):
    config_class = NulaConfig
    base_model_prefix = "nula"
    main_input_name = "pixel_values"

    def __init__(self, config):
        super().__init__(config)
        self.nula = Nula(config.num_labels, config.width, config.downsample, config.se, config.dropout, config.num_channels)
        self.post_init()

    def _init_weights(self, module):
        pass  # weights come from model.safetensors

    def forward(self, pixel_values=None, labels=None, return_dict=None, **kwargs):
        logits = self.nula(pixel_values)
        loss = F.cross_entropy(logits, labels) if labels is not None else None
        return ImageClassifierOutput(loss=loss, logits=logits)

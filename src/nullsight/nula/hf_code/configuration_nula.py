"""NULA's transformers configuration (written by ``nullsight export-hf``)."""

from transformers import PretrainedConfig


class NulaConfig(PretrainedConfig):
    model_type = "nula"

    def __init__(self, width=1.0, downsample="blur", se=True, dropout=0.3, num_channels=3, image_size=32, **kwargs):
        self.width, self.downsample, self.se, self.dropout = width, downsample, se, dropout
        self.num_channels, self.image_size = num_channels, image_size
        super().__init__(**kwargs)

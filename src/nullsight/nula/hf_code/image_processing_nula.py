"""NULA's preprocessing (seed 004's card): ``.convert("RGB")``, 32x32 bilinear, mean = std = 0.5 (written by ``nullsight export-hf``)."""

import numpy as np
import torch
from PIL import Image
from transformers.image_processing_utils import BaseImageProcessor, BatchFeature


class NulaImageProcessor(BaseImageProcessor):
    model_input_names = ["pixel_values"]

    def __init__(self, size=32, image_mean=(0.5, 0.5, 0.5), image_std=(0.5, 0.5, 0.5), **kwargs):
        super().__init__(**kwargs)
        self.size, self.image_mean, self.image_std = size, list(image_mean), list(image_std)

    def _one(self, image):
        if not isinstance(image, Image.Image):
            image = Image.fromarray(np.asarray(image))
        image = image.convert("RGB").resize((self.size, self.size), Image.Resampling.BILINEAR)
        x = torch.from_numpy(np.array(image, dtype=np.float32) / 255.0).permute(2, 0, 1)
        return (x - torch.tensor(self.image_mean)[:, None, None]) / torch.tensor(self.image_std)[:, None, None]

    def preprocess(self, images, return_tensors=None, **kwargs):
        if not isinstance(images, (list, tuple)):
            images = [images]
        return BatchFeature({"pixel_values": torch.stack([self._one(i) for i in images])}, tensor_type=return_tensors)

"""A small patchify vision transformer for 28x28 digits: seed 000's Remark 2 on a model whose predictions mean something.

The patch embedding is a ``Conv2d`` with stride = kernel = 7 (16 patches of 49
pixels mapped to ``dim`` = 32 numbers), so ``W_1`` is 32 x 49 and has a null space
of dimension 17 in every patch: exact collisions with a visible perturbation,
through a network trained here (``nullsight train --arch nullsight:patch-vit``).
Input ``(B, 1, 28, 28)``; output ``(B, 10)``.
"""

from __future__ import annotations

import torch
from torch import nn


class PatchViT(nn.Module):
    """Patch embedding -> learned position embedding -> ``depth`` pre-norm encoder layers -> mean pool -> Linear."""

    input_size = (1, 28, 28)

    def __init__(self, patch: int = 7, dim: int = 32, depth: int = 2, heads: int = 2, classes: int = 10,
                 channels: int = 1, image: int = 28) -> None:
        super().__init__()
        if image % patch:
            raise ValueError(f"the image side {image} must be a multiple of the patch size {patch}")
        self.input_size = (channels, image, image)
        self.patch_embed = nn.Conv2d(channels, dim, kernel_size=patch, stride=patch)
        self.pos_embed = nn.Parameter(torch.zeros(1, (image // patch) ** 2, dim))
        nn.init.trunc_normal_(self.pos_embed, std=0.02)
        layer = nn.TransformerEncoderLayer(dim, heads, dim_feedforward=2 * dim, dropout=0.0, batch_first=True,
                                           norm_first=True, activation="gelu")
        self.encoder = nn.TransformerEncoder(layer, depth, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        tokens = self.patch_embed(x).flatten(2).transpose(1, 2) + self.pos_embed
        return self.head(self.norm(self.encoder(tokens)).mean(dim=1))

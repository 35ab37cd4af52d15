"""Save tiny transformers models (a BERT, a GPT-2 and a ViT config) to try ``hf:DIR`` without a download.

    python examples/hf_tiny.py /tmp/hf-tiny
    nullsight audit hf:/tmp/hf-tiny/gpt2 --weights default
    nullsight audit hf:/tmp/hf-tiny/gpt2 --stream          # straight from model.safetensors

Random weights (seeded): what matters here is the structure, and that every
weight is audited in the orientation its module applies it (GPT-2's
``Conv1D`` stores ``in x out``).
"""

from __future__ import annotations

import sys
from pathlib import Path


def save_tiny(root: str | Path, seed: int = 0) -> dict[str, Path]:
    """Write ``bert``, ``gpt2`` and ``vit`` under ``root`` with ``save_pretrained``; returns their directories."""
    import torch
    import transformers as hf

    root = Path(root)
    torch.manual_seed(seed)
    models = {
        "bert": hf.BertForMaskedLM(hf.BertConfig(vocab_size=50, hidden_size=16, num_hidden_layers=1,
                                                 num_attention_heads=2, intermediate_size=32,
                                                 max_position_embeddings=16)),
        "gpt2": hf.GPT2LMHeadModel(hf.GPT2Config(vocab_size=50, n_embd=16, n_layer=1, n_head=2, n_positions=16,
                                                 bos_token_id=0, eos_token_id=0)),
        "vit": hf.ViTForImageClassification(hf.ViTConfig(image_size=16, patch_size=4, num_channels=3, hidden_size=16,
                                                         num_hidden_layers=1, num_attention_heads=2,
                                                         intermediate_size=32, num_labels=3)),
    }
    for name, model in models.items():
        model.save_pretrained(root / name)
    return {name: root / name for name in models}


if __name__ == "__main__":
    for name, path in save_tiny(sys.argv[1] if len(sys.argv) > 1 else "hf-tiny").items():
        print(f"hf:{path}")

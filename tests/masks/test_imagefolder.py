"""Table 2's road (seed 003, Imagenette with ResNet-18 / ViT-B/16) on a folder made here: ``masks compute`` on
``--data imagefolder:ROOT`` (ROOT/val/<class>/*.png, Imagenette's layout) with a tiny timm model and ``--weights``."""

import json

import numpy as np
import pytest
import torch
from PIL import Image

from nullsight.cli import main
from nullsight.data import load_data
from nullsight.data.images import split_folder
from nullsight.errors import DataNotFoundError


def _folder(root, splits=("train", "val"), classes=("n01", "n02"), per_class=3, size=(40, 52)):
    rng = np.random.default_rng(0)
    for split in splits:
        for c in classes:
            (root / split / c).mkdir(parents=True)
            for i in range(per_class):
                pixels = rng.integers(0, 256, size=(*size, 3), dtype=np.uint8)
                Image.fromarray(pixels).save(root / split / c / f"{i}.png")
    return root


def test_split_folder_picks_the_split_and_test_falls_back_to_val(tmp_path):
    root = _folder(tmp_path / "imagenette")
    assert split_folder(root, "train") == root / "train"
    assert split_folder(root, "test") == root / "val"  # Imagenette has no test folder
    flat = _folder(tmp_path / "flat", splits=("",))
    assert split_folder(flat, "test") == flat  # no split folders: the root is the split
    with pytest.raises(DataNotFoundError, match="split"):
        split_folder(_folder(tmp_path / "only-train", splits=("train",)), "test")


def test_imagefolder_loads_classes_resized(tmp_path):
    root = _folder(tmp_path / "imagenette")
    batch = load_data(f"imagefolder:{root}", split="test", size=(32, 32), channels=3)
    assert batch.images.shape == (6, 3, 32, 32) and batch.labels.tolist() == [0, 0, 0, 1, 1, 1]
    assert batch.classes == ["n01", "n02"]


def test_masks_compute_on_an_image_folder_with_timm_weights(tmp_path):
    """A tiny timm ResNet whose head prefers class 0 (so some images are correctly classified), saved as a checkpoint
    and loaded with --weights; the masks come out at the model's input size."""
    import timm
    from safetensors.torch import save_file

    root = _folder(tmp_path / "imagenette")
    torch.manual_seed(0)
    model = timm.create_model("test_resnet", pretrained=False)
    state = {k: v.clone().contiguous() for k, v in model.state_dict().items()}
    head = [k for k in state if k.endswith("fc.bias")][0]
    state[head][0] += 50.0
    save_file(state, str(tmp_path / "w.safetensors"))
    out, masks = tmp_path / "masks.json", tmp_path / "masks"
    assert main(["masks", "compute", "timm:test_resnet", "--weights", str(tmp_path / "w.safetensors"),
                 "--data", f"imagefolder:{root}", "--n", "6", "--attacks", "pgd:8/255", "--attack-steps", "2",
                 "--min-steps", "2", "--max-steps", "3", "--lambda", "0.01", "--masks-dir", str(masks), "-q",
                 "-o", str(out)]) == 0
    result = json.loads(out.read_text())
    size = list(model.pretrained_cfg["input_size"])
    essential = next(s for s in result["sets"] if s["name"] == "essential")
    assert essential["n_masks"] == 3 and essential["at_cap"] == 3  # class 0's images, every one capped at 3 steps
    from nullsight.masks.runner import load_mask_set

    tensors, meta = load_mask_set(masks / "essential.safetensors")
    assert list(tensors["masks"].shape[1:]) == size and meta["nullsight.masks.data"] == f"imagefolder:{root}"


def test_correlate_pools_large_masks(tmp_path):
    """Sec. 4.5.2: 224 x 224 masks are average-pooled to 32 x 32 before the correlations (--pool)."""
    from nullsight.masks.runner import _pairs

    rng = torch.Generator().manual_seed(0)
    masks = {"masks": torch.rand(10, 3, 64, 64, generator=rng), "indices": torch.arange(10),
             "labels": torch.zeros(10, dtype=torch.long)}
    e, a, _ = _pairs(masks, masks, pool=8)
    assert e.shape == (10, 3 * 8 * 8)
    assert np.allclose(e[:, 0], masks["masks"][:, 0, :8, :8].double().mean((1, 2)).numpy())

"""Detectors collide through their input transform's resize (seed 000, Def. 4, beyond the paper's classifiers)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from torch.nn import functional as F

from nullsight.cli import main
from nullsight.collisions.detection import DetectionOutputs, ResizeNullSpaceSearch, transform_output_size
from nullsight.collisions.resize_null import bilinear_factor, resize_kernel
from nullsight.collisions.runner import record
from nullsight.errors import InvalidInputError
from nullsight.models import load_model

sizes = st.integers(min_value=2, max_value=24)


@settings(max_examples=40, deadline=None)
@given(sizes, sizes, sizes, sizes)
def test_factors_are_torch_interpolate(h, w, oh, ow):
    x = torch.randn(2, 3, h, w, dtype=torch.float64, generator=torch.Generator().manual_seed(h * w))
    k = resize_kernel((h, w), (oh, ow))
    expected = F.interpolate(x, size=(oh, ow), mode="bilinear", align_corners=False)
    assert torch.allclose(k.apply(x), expected, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(sizes, sizes, sizes, sizes)
def test_projector_is_the_null_space(h, w, oh, ow):
    k = resize_kernel((h, w), (oh, ow))
    x = torch.randn(3, h, w, dtype=torch.float64, generator=torch.Generator().manual_seed(oh * ow))
    p = k.project(x)
    assert k.apply(p).abs().max() <= 1e-12 * max(1.0, float(x.abs().max()))  # in the kernel
    assert torch.allclose(k.project(p), p, atol=1e-12)                          # idempotent
    assert abs(float((x - p).flatten() @ p.flatten())) <= 1e-9                   # orthogonal
    rank = torch.linalg.matrix_rank(torch.kron(bilinear_factor(h, oh), bilinear_factor(w, ow))) if h * w <= 144 else None
    if rank is not None:
        assert k.nullity == h * w - int(rank)
    if oh >= h and ow >= w:
        assert k.injective


def test_halving_leaves_three_quarters():
    assert resize_kernel((64, 48), (32, 24)).nullity == 64 * 48 * 3 // 4


@pytest.fixture(scope="module")
def ssd():
    return load_model("torchvision:ssdlite320_mobilenet_v3_large", weights="none", seed=0).module.eval()


def test_kernel_matches_the_detector_transform(ssd):
    x = torch.rand(3, 400, 500, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    out = transform_output_size(ssd.transform, (400, 500))
    resized, _ = ssd.transform.resize(x, None)
    assert out == (320, 320)
    assert torch.allclose(resize_kernel((400, 500), out).apply(x), resized, atol=1e-12)


def test_detector_collides_exactly_through_its_resize(ssd):
    x = torch.rand(2, 3, 400, 480, generator=torch.Generator().manual_seed(1))
    search = ResizeNullSpaceSearch(ssd, (3, 400, 480), beta=0.05)
    result = record(search, search(x), "ssdlite")
    assert result.exact and result.max_rel_diff_fp64 <= 1e-9 and result.same_top1
    assert result.method == "resize" and result.null_dim == 3 * (400 * 480 - 320 * 320)
    assert result.linf == pytest.approx(0.05) and result.psnr is not None
    assert all(im.prediction.top5_x == im.prediction.top5_x_hat and im.prediction.top5_x for im in result.images)
    first_conv = result.layers[0]
    assert first_conv.type == "Conv2d" and first_conv.max_rel_diff_fp64 <= 1e-12
    # the perturbation really changes the image, and the detector's transform maps it to zero
    p = search.prepare().direction.image
    assert torch.allclose(search.kernel.apply(p), torch.zeros(3, 320, 320, dtype=torch.float64), atol=1e-13)


def test_a_perturbation_outside_the_null_space_changes_the_detections(ssd):
    """The control: the same size of change, not in the kernel, is seen (so exactness is not vacuous)."""
    x = torch.rand(1, 3, 400, 480, generator=torch.Generator().manual_seed(2))
    search = ResizeNullSpaceSearch(ssd, (3, 400, 480), beta=0.05)
    verifier = search.prepare().verifier.without_layers()
    noise = 0.05 * torch.sign(torch.randn(1, 3, 400, 480, generator=torch.Generator().manual_seed(3)))
    assert max(verifier(x.double(), (x + noise).double()).max_rel_diff_fp64) > 1e-6


def test_an_upsampled_image_gets_a_reason_not_a_collision(ssd):
    search = ResizeNullSpaceSearch(ssd, (3, 200, 240))
    found = search(torch.rand(1, 3, 200, 240))
    assert found.x_hat is None and "injective" in found.message
    assert record(search, found).null_dim == 0


def test_detection_outputs_pad_to_one_tensor(ssd):
    out = DetectionOutputs(ssd)(torch.rand(2, 3, 320, 320, generator=torch.Generator().manual_seed(4)))
    assert out.ndim == 3 and out.shape[0] == 2 and out.shape[2] == 6
    assert (out[..., 4][:, :-1] >= out[..., 4][:, 1:]).all()  # highest score first


@pytest.mark.parametrize("kwargs, match", [({"basis": 3}, "random vector"), ({"per_patch": True}, "patchify"),
                                           ({"bounds": (-1.0, 1.0)}, r"\[0, 1\]")])
def test_options_that_need_a_patchify_layer_are_refused(ssd, kwargs, match):
    with pytest.raises(InvalidInputError, match=match):
        ResizeNullSpaceSearch(ssd, (3, 400, 480), **kwargs)


def test_cli_collides_a_detector_on_an_image_file(tmp_path, capsys):
    rng = np.random.default_rng(0)
    path = tmp_path / "street.png"
    Image.fromarray((rng.random((480, 640, 3)) * 255).astype("uint8")).save(path)
    code = main(["collide", "torchvision:ssdlite320_mobilenet_v3_large", "--image", str(path), "-q", "-f", "json",
                 "--box"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["exact"] and out["task"] == "detection" and out["input_size"] == [3, 480, 640]
    assert out["first_layer"]["method"] == "resize" and out["robustness"]["constrained"]["linf"][0] > 0


def test_cli_refuses_attacks_on_detectors(tmp_path, capsys):
    path = tmp_path / "a.png"
    Image.fromarray(np.zeros((360, 420, 3), dtype="uint8")).save(path)
    code = main(["collide", "torchvision:ssdlite320_mobilenet_v3_large", "--image", str(path), "--attack", "pgd"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "detection" in err and "\n" not in err


@pytest.mark.parametrize("size, min_size, max_size", [((300, 500), 200, 320), ((500, 300), 256, 1000),
                                                      ((450, 451), (180, 200), 400)])
def test_min_max_rule_of_rcnn_transforms(size, min_size, max_size):
    """Faster/Mask/Keypoint R-CNN, RetinaNet and FCOS resize by scale factor (min_size / max_size), not to a fixed size."""
    from torchvision.models.detection.transform import GeneralizedRCNNTransform

    transform = GeneralizedRCNNTransform(min_size, max_size, [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]).eval()
    x = torch.rand(3, *size, dtype=torch.float64, generator=torch.Generator().manual_seed(6))
    out = transform_output_size(transform, size)
    resized, _ = transform.resize(x, None)
    kernel = resize_kernel(size, out)
    assert tuple(resized.shape[-2:]) == out and torch.allclose(kernel.apply(x), resized, atol=1e-12)
    p = kernel.project(torch.randn(3, *size, dtype=torch.float64, generator=torch.Generator().manual_seed(7)))
    a, _ = transform([x.float()]), None
    b, _ = transform([(x + 0.05 * p / p.abs().max()).float()]), None
    assert (a[0].tensors - b[0].tensors).abs().max() < 1e-5  # what the backbone receives: the same (fp32 rounding)


class _StubDetector(torch.nn.Module):
    """Returns a given list of detections per image (the transform is not used)."""

    def __init__(self, per_image):
        super().__init__()
        self.per_image = per_image

    def forward(self, images):
        return [self.per_image[i % len(self.per_image)] for i in range(len(images))]


def _det(labels, scores):
    n = len(labels)
    return {"boxes": torch.arange(4 * n, dtype=torch.float32).reshape(n, 4), "scores": torch.tensor(scores),
            "labels": torch.tensor(labels, dtype=torch.int64)}


def test_unequal_and_empty_detections_pad_with_label_minus_one():
    out = DetectionOutputs(_StubDetector([_det([], []), _det([3, 1], [0.9, 0.0])]))(torch.zeros(2, 3, 8, 8))
    assert out.shape == (2, 2, 6) and (out[0, :, 5] == -1).all()
    assert out[1, :, 5].tolist() == [3.0, 1.0] and out[1, 1, 4] == 0.0  # a score-0 detection is kept, not padding
    assert DetectionOutputs(_StubDetector([_det([], [])]))(torch.zeros(1, 3, 8, 8)).shape == (1, 0, 6)


@pytest.mark.parametrize("x, x_hat, same", [([], [], True), ([1, 2], [1, 2], True), ([1, 2], [2, 1], False),
                                            ([1, 2], [1], False), ([], [5], False)])
def test_same_detections_means_same_labels_in_the_same_order(x, x_hat, same):
    from nullsight.collisions.verify import _detections

    def dense(labels):
        out = torch.full((1, 3, 6), 0.0)
        out[..., 5] = -1
        for i, label in enumerate(labels):
            out[0, i, 4], out[0, i, 5] = 0.5 - 0.1 * i, label
        return out

    flags, preds = _detections(dense(x), dense(x_hat))
    assert flags == [same] and preds[0].top5_x == x and preds[0].top5_x_hat == x_hat


def test_patch_options_on_a_detector_are_refused_in_one_line(ssd):
    with pytest.raises(InvalidInputError, match="--patch-betas"):
        ResizeNullSpaceSearch(ssd, (3, 400, 480), patch_betas=torch.ones(2, 2))

"""How the verifier reads a model's outputs (collisions/verify.py): which tensor is judged, the per-task
predictions (top-5, per-pixel agreement, detections) and the per-feature differences behind the layer table."""

from __future__ import annotations

import pytest
import torch

from nullsight.collisions.verify import (
    _detections,
    _diff,
    _predictions,
    _rel,
    _tensors,
    main_output,
)


def test_main_output_of_each_container():
    t, u = torch.ones(2), torch.zeros(2)
    assert main_output(t) is t
    assert main_output({"aux": u, "out": t}) is t  # torchvision segmentation: "out", wherever it sits
    assert main_output({"logits": u, "aux": t}) is u  # otherwise the first value
    assert main_output((t, u)) is t and main_output([[u, t], t]) is u  # the first, recursively
    with pytest.raises(TypeError, match="cannot compare a model output of type int"):
        main_output(3)


def test_every_tensor_of_a_nested_output_is_compared():
    a, b, c = torch.ones(1), torch.zeros(1), torch.full((1,), 2.0)
    assert _tensors({"x": a, "y": [b, (c,)]}) == [a, b, c]
    assert _tensors((a, {"z": b})) == [a, b] and _tensors("text") == []


def test_classifier_predictions_are_top5_with_rounded_logits():
    a = torch.tensor([[0.1, 0.9, 0.3, 0.2, 0.5, 0.05, 0.1234567]])
    a_hat = torch.tensor([[0.9, 0.1, 0.3, 0.2, 0.5, 0.05, 0.0]])
    same, preds = _predictions((None, None, a, a_hat), "classification")
    assert same == [False]
    assert preds[0].top5_x == [1, 4, 2, 3, 6] and preds[0].top5_x_hat == [0, 4, 2, 3, 1]
    assert preds[0].top5_logits_x == pytest.approx([0.9, 0.5, 0.3, 0.2, 0.123457], abs=1e-7)
    assert preds[0].top5_logits_x_hat == pytest.approx([0.9, 0.5, 0.3, 0.2, 0.1], abs=1e-7)
    three = torch.tensor([[0.2, 0.7, 0.1]])
    same, preds = _predictions((None, None, three, three.clone()), "classification")
    assert same == [True] and preds[0].top5_x == [1, 0, 2]  # fewer than five classes: all of them


def test_segmentation_predictions_are_per_pixel_agreement():
    a = torch.zeros(2, 3, 2, 2)
    a[:, 1] = 1.0  # every pixel says class 1
    a_hat = a.clone()
    a_hat[1, 2, 0, 0] = 5.0  # one pixel of the second image says class 2
    for task in ("segmentation", "classification"):  # 4-d logits are read per pixel whatever the task says
        same, preds = _predictions((None, None, a, a_hat), task)
        assert same == [True, False]
        assert [p.pixel_agreement for p in preds] == [1.0, 0.75]
        assert preds[1].classes_x == [1] and preds[1].classes_x_hat == [1, 2]


def _boxes(rows: list[tuple[float, int]]) -> torch.Tensor:
    """Detections (N, 6): box, score, label; label -1 is padding."""
    return torch.tensor([[0, 0, 1, 1, score, label] for score, label in rows], dtype=torch.float64)


def test_detections_compare_labels_in_order_and_drop_padding():
    a = torch.stack([_boxes([(0.9, 3), (0.8, 1), (0.0, -1)]), _boxes([(0.9, 3), (0.8, 1), (0.0, -1)])])
    a_hat = torch.stack([_boxes([(0.95, 3), (0.7, 1), (0.0, -1)]), _boxes([(0.9, 1), (0.8, 3), (0.0, -1)])])
    same, preds = _detections(a, a_hat)
    assert same == [True, False]  # the same labels in the same order; then the order differs
    assert preds[0].top5_x == [3, 1] and preds[0].top5_x_hat == [3, 1] and preds[1].top5_x_hat == [1, 3]
    assert preds[0].top5_logits_x == [0.9, 0.8] and preds[0].top5_logits_x_hat == [0.95, 0.7]
    many = _boxes([(0.9 - i / 100 + 1e-9, i) for i in range(7)])[None]
    _, preds = _detections(many, many.clone())
    assert preds[0].top5_x == [0, 1, 2, 3, 4] and preds[0].top5_logits_x == [0.9, 0.89, 0.88, 0.87, 0.86]
    fewer = _boxes([(0.9, 3), (0.0, -1), (0.0, -1)])[None]
    assert _detections(_boxes([(0.9, 3), (0.8, 1), (0.0, -1)])[None], fewer)[0] == [False]
    assert _predictions((None, None, a, a_hat), "detection")[0] == [True, False]


def test_feature_differences_per_input():
    a = torch.tensor([[1.0, -4.0], [0.0, 0.0]])
    a_hat = torch.tensor([[1.5, -4.0], [0.0, 2.0]])
    diff, ref = _diff(torch.cat([a, a_hat]), 2)
    assert diff.dtype == torch.float64 and diff.tolist() == [0.5, 2.0] and ref.tolist() == [4.0, 0.0]
    assert _rel(diff, ref).tolist() == [0.125, 2.0 / 1e-30]  # an all-zero reference: finite, huge
    ints = torch.tensor([[1, 2], [3, 4]])
    assert _diff(ints, 1)[0].tolist() == [0.0] and _diff(ints, 1)[1].tolist() == [0.0]  # integer features: no diff
    empty = torch.zeros(4, 0)
    diff, ref = _diff(empty, 2)
    assert diff.tolist() == [0.0, 0.0] and ref.tolist() == [1.0, 1.0]

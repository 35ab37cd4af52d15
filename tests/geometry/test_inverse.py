"""Inverse mapping (seed 002, Eqs. 15-18) and the two-point equidistant projection (App. A)."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from nullsight.errors import InvalidInputError
from nullsight.geometry.inverse import inverse_map, radii, two_point_projection


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 20), st.integers(0, 10_000))
def test_two_point_projection_keeps_distances(f: int, seed: int) -> None:
    g = torch.Generator().manual_seed(seed)
    a, b, c = (torch.randn(f, generator=g, dtype=torch.float64) for _ in range(3))
    xy = two_point_projection(a, b, torch.stack([c, a, b, 0.3 * a + 0.7 * b]))
    d_ab = float((a - b).norm())
    assert abs(float(xy[0].norm()) - float((c - a).norm())) < 1e-9
    assert abs(float((xy[0] - torch.tensor([d_ab, 0.0], dtype=torch.float64)).norm()) - float((c - b).norm())) < 1e-6
    assert torch.allclose(xy[1], torch.zeros(2, dtype=torch.float64), atol=1e-9)
    assert torch.allclose(xy[2], torch.tensor([d_ab, 0.0], dtype=torch.float64), atol=1e-6)
    assert abs(float(xy[3, 1])) < 1e-5 and bool((xy[:, 1] >= 0).all())  # points on the line AB stay on ab


def test_inverse_map_linear_features_reaches_targets() -> None:
    """With linear features N_phi(x) = M x the ball / point constraints are met and the residual says so."""
    g = torch.Generator().manual_seed(0)
    M = torch.randn(3, 16, generator=g) / 4
    phi = lambda x: x.flatten(1) @ M.T  # noqa: E731
    ref = 0.2 + 0.6 * torch.rand(2, 1, 4, 4, generator=g)
    target = phi(0.2 + 0.6 * torch.rand(2, 1, 4, 4, generator=g))
    point = inverse_map(phi, target, ref, mode="point")
    assert float(point.relative_residual.max()) < 1e-3
    exact = ref.flatten(1) + (target - phi(ref)) @ torch.linalg.pinv(M).T  # the least-norm solution (inside the box)
    assert torch.allclose(point.pixel_distance, (exact - ref.flatten(1)).norm(dim=1), rtol=1e-3)
    assert torch.allclose(point.residual, (phi(point.images) - target).norm(dim=1), atol=1e-6)
    r = (phi(ref) - target).norm(dim=1) / 2
    ball = inverse_map(phi, target, ref, r, mode="ball")
    assert float(ball.residual.max()) < 1e-2 and bool((ball.images >= 0).all() and (ball.images <= 1).all())
    assert bool((ball.pixel_distance <= point.pixel_distance + 1e-4).all())  # a larger feasible set, a closer image


def test_radii_and_exceptions() -> None:
    rs = radii(2.0, 5)
    assert rs[0] == 2.0 and rs[-1] == 0.0 and rs == sorted(rs, reverse=True)
    with pytest.raises(InvalidInputError):
        inverse_map(lambda x: x.flatten(1), torch.zeros(1, 4), torch.zeros(1, 1, 2, 2), mode="sphere")
    with pytest.raises(InvalidInputError):
        inverse_map(lambda x: x.flatten(1), torch.zeros(1, 4), torch.zeros(1, 1, 2, 2), mode="point", descent=-1)
    with pytest.raises(InvalidInputError):
        two_point_projection(torch.zeros(3), torch.zeros(3), torch.ones(1, 3))


def test_inverse_map_reaches_a_reachable_target_on_a_trained_mlp(digits_mlp) -> None:
    """Another image's features are in N_phi's range: the continuation reaches them to 1e-3 of the distance covered,
    and the image it finds is classified as the target is; a perimeter of a ball about them likewise."""
    from nullsight.data import load_data
    from nullsight.geometry.features import extract_features, feature_head, feature_map
    from nullsight.models.classifier import model_normalization
    from nullsight.models import load_model

    loaded = load_model(str(digits_mlp[0]))
    model = loaded.module.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    test = load_data("digits", split="test", n=40)
    norm = model_normalization(loaded, test)
    f, logits = extract_features(model, norm.to_model(test.images))
    pred = logits.argmax(1)
    b = int((pred != pred[0]).nonzero()[0])
    phi = feature_map(model, feature_head(model).name, norm.to_model)
    point = inverse_map(phi, f[b:b + 1], test.images[:1], mode="point")
    assert float(point.relative_residual[0]) < 1e-3
    assert int(model(norm.to_model(point.images)).argmax(1)[0]) == int(pred[b])
    assert bool((point.images >= 0).all() and (point.images <= 1).all())
    r = float((f[0] - f[b]).norm()) / 2
    rim = inverse_map(phi, f[b:b + 1], test.images[:1], r, mode="perimeter")
    assert float(rim.relative_residual[0]) < 1e-3 and abs(float((rim.features[0] - f[b]).norm()) - r) < 1e-3 * 2 * r
    assert float(rim.pixel_distance[0]) <= float(point.pixel_distance[0]) + 1e-4  # the ball is met before its centre


def test_inverse_runner_figures_on_a_trained_mlp(digits_mlp) -> None:
    """Figs. 3c, 5c, 7 and 8 with the paper's kind of pair: a test image and a training image; the morph and the
    perimeters (feasible by construction) reach their targets, every mapping reports its residual."""
    from nullsight.data import load_data
    from nullsight.geometry.runner import inverse
    from nullsight.models import load_model

    loaded = load_model(str(digits_mlp[0]))
    r = inverse(loaded, load_data("digits", split="test", n=30), 0, train=load_data("digits", split="train", n=400),
                n_radii=4, n_references=2)
    assert r.b_split == "train" and r.class_a is not None and r.radius_a > 0
    assert max(m.relative_residual for m in r.morph) < 1e-3
    assert r.morph[0].pixel_distance == 0 and r.morph[-1].radius == 0
    assert len(r.perimeter) == 2 and all(m.relative_residual < 1e-3 for m in r.perimeter)
    assert r.hull_target is not None and r.hull_target.relative_residual >= 0
    assert r.flip_target.relative_residual is not None and r.flip_target.image is not None


@pytest.fixture(scope="module")
def digits_cnn() -> tuple[torch.nn.Module, torch.nn.Module]:
    """``(classifier, features)``: four 3x3 convolutions with BatchNorm and ReLU, the last 16 channels averaged
    (the features), a linear head; trained about a second on sklearn's digits, evaluated in eval mode."""
    from torch import nn

    from nullsight.data import load_data

    train = load_data("digits", split="train")
    block = lambda i, o: [nn.Conv2d(i, o, 3, padding=1, bias=False), nn.BatchNorm2d(o), nn.ReLU()]  # noqa: E731
    with torch.random.fork_rng():
        torch.manual_seed(0)
        body = nn.Sequential(*block(1, 8), *block(8, 8), *block(8, 16), *block(16, 16), nn.AdaptiveAvgPool2d(1),
                             nn.Flatten())
        model = nn.Sequential(body, nn.Linear(16, 10))
        opt = torch.optim.Adam(model.parameters(), 3e-3)
        for _ in range(10):
            for idx in torch.randperm(len(train)).split(64):
                loss = nn.functional.cross_entropy(model(2 * train.images[idx] - 1), train.labels[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    return model, body


def test_inverse_map_morph_reaches_every_ball_on_a_batchnorm_cnn(digits_cnn) -> None:
    """Fig. 8's morph on a conv net with BatchNorm and ReLU: balls about image a's features shrinking to the point,
    each from the last solution, are feasible by construction (a is in every one) and are reached to 1e-3 of the
    distance covered. Levenberg-Marquardt alone stalled near the centre (2e-2 to 1e-1 of it, as on the ResNet-20
    of seed 002's recipe); L-BFGS-B takes over where it stalls."""
    from nullsight.data import load_data

    model, body = digits_cnn
    test = load_data("digits", split="test", n=60)
    phi = lambda x: body(2 * x - 1)  # noqa: E731
    with torch.no_grad():
        f, pred = phi(test.images), model(2 * test.images - 1).argmax(1)
    a = 4
    same = [j for j in range(len(test)) if j != a and pred[j] == pred[a]]
    b = min(same, key=lambda j: float((f[j] - f[a]).norm()))
    d_ab = float((f[b] - f[a]).norm())
    current = test.images[b:b + 1]
    for r in radii(d_ab, 6):
        m = inverse_map(phi, f[a:a + 1], test.images[b:b + 1], r, mode="ball" if r > 0 else "point", start=current,
                        steps=2)
        assert float(m.relative_residual[0]) < 1e-3, (r, float(m.relative_residual[0]))
        assert abs(float(m.target_distance[0]) - d_ab) < 1e-4 * d_ab
        current = m.images
    assert bool((current >= 0).all() and (current <= 1).all())
    assert int(model(2 * current - 1).argmax(1)[0]) == int(pred[a])

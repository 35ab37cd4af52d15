"""Seed 002's experiments on a model and a data set: tensors in, typed results out (no I/O, no printing)."""

from __future__ import annotations

import dataclasses
import math
import time
from typing import TYPE_CHECKING, Any, Callable, Sequence

import torch

from ..artifacts import Artifact
from ..data import DataBatch
from ..errors import InvalidInputError
from ..models.classifier import model_normalization
from ..models.zoo import LoadedModel
from .features import extract_features, feature_head
from .flip import FlipPoints, FlipPointSolver, lipschitz_constant
from .hull import HullProjection, HullProjector
from .regions import ambiguity, support_label_agreement, union_of_regions
from .result import (AmbiguousImage, Ambiguity, GeometryExamples, GeometryResult, MarginRow, SolverReport,
                     SupportAgreement, SupportImage, SupportLabels, UnionOfRegions)

if TYPE_CHECKING:
    from ..attacks import AttackSpec

Track = Callable[..., Any] | None


def features_of(loaded: LoadedModel, batch: DataBatch, layer: str | None) -> tuple[torch.Tensor, torch.Tensor]:
    """``(x_phi, logits)`` of a batch of pixel images."""
    norm = model_normalization(loaded, batch)
    return extract_features(loaded.module, norm.to_model(batch.images), layer)


def pictures(images: torch.Tensor) -> list[Artifact]:
    """Images ``(B, C, H, W)`` in [0, 1] as PNG artifacts (first channel only when the channels are copies)."""
    if images.shape[1] == 3 and torch.equal(images[:, 0], images[:, 1]) and torch.equal(images[:, 1], images[:, 2]):
        images = images[:, :1]
    return [Artifact.of(image.float().clamp(0, 1), "png") for image in images]


def _rounded(t: torch.Tensor, digits: int = 6) -> list[float]:
    return [round(float(v), digits) for v in t.tolist()]


def _verified_hull(solver: HullProjector, queries: torch.Tensor, track: Track) -> HullProjection:
    return solver(queries, track=track)


def analyze(loaded: LoadedModel, train: DataBatch, test: DataBatch, *, feature_layer: str | None = None,
            n_pixel: int = 200, n_pixel_train: int | None = None, n_table: int = 5, seed: int = 0,
            track: Track = None) -> GeometryResult:
    """Margins (Eqs. 7-12), hull distances (Eqs. 20-25), ambiguity (Eq. 26), learned regions, support labels
    and the accuracy on hull projections in feature space and in pixel space (Sec. 7.2)."""
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    head = feature_head(loaded.module, feature_layer)
    f_train, logits_train = features_of(loaded, train, head.name)
    f_test, logits_test = features_of(loaded, test, head.name)
    timings["features_s"] = time.perf_counter() - t0
    nonneg = bool((f_train >= 0).all() and (f_test >= 0).all())
    note = ("features are non-negative (post-ReLU): flip points keep y >= 0 (Eq. 10)" if nonneg else
            "features take negative values: the y >= 0 constraint (Eq. 10) is dropped")
    labels_test, labels_train = test.labels, train.labels
    pred_test = logits_test.argmax(1)

    t0 = time.perf_counter()
    flips = FlipPointSolver(head.weight, head.bias, nonneg=nonneg)
    flip_test = flips(f_test)
    flip_train = flips(f_train)
    timings["flip_points_s"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    hull = HullProjector(f_train)
    proj = hull(f_test, track=track)
    timings["feature_hull_s"] = time.perf_counter() - t0

    d_f, d_h = flip_test.min_distance, proj.distance
    amb = ambiguity(d_f, d_h)
    order = torch.argsort(amb)
    n_ex = min(8, len(amb))
    most, least = order[:n_ex], order.flip(0)[:n_ex]

    t0 = time.perf_counter()
    union_train = union_of_regions(f_train, flip_train.min_distance, f_test)
    union_test = union_of_regions(f_test, d_f, f_train)
    timings["union_s"] = time.perf_counter() - t0
    all_counts = torch.cat([union_train.counts, union_test.counts])

    head_logits = proj.projection @ head.weight.double().T + head.bias.double()
    support_feature = support_label_agreement(proj.support, proj.weights, labels_train, labels_test)

    # pixel space: the first n_pixel test images onto the first n_pixel_train training images
    t0 = time.perf_counter()
    n_pix = min(n_pixel, len(test))
    train_images = train.images if n_pixel_train is None else train.images[:n_pixel_train]
    # grey images copied into C channels: one channel carries the same hull (alpha, supports) at 1/C of the cost
    copies = test.images.shape[1] if _grey_copies(train_images) and _grey_copies(test.images[:n_pix]) else 1
    pix_train = train_images[:, :1].flatten(1) if copies > 1 else train_images.flatten(1)
    pixel_hull = HullProjector(pix_train, max_corral=min(pix_train.shape[1] + 2, 512), k_init=64, k_add=32)
    channels = 1 if copies > 1 else test.images.shape[1]
    pix_proj = pixel_hull(test.images[:n_pix, :channels].flatten(1), track=track) if n_pix else None
    if pix_proj is not None and copies > 1:
        pix_proj = dataclasses.replace(
            pix_proj, projection=pix_proj.projection.reshape(n_pix, 1, -1).expand(-1, copies, -1).flatten(1),
            distance=pix_proj.distance * copies ** 0.5, gap=pix_proj.gap * copies,
            distance_lower=pix_proj.distance_lower * copies ** 0.5)
    timings["pixel_hull_s"] = time.perf_counter() - t0
    accuracy: dict[str, float | None] = {
        "clean": float((pred_test == labels_test).double().mean()),
        "feature_hull": float((head_logits.argmax(1) == labels_test).double().mean()),
        "feature_hull_same_prediction": float((head_logits.argmax(1) == pred_test).double().mean()),
        "clean_pixel_subset": None, "pixel_hull": None}
    support_pixel: dict[str, float] | None = None
    if pix_proj is not None:
        norm = model_normalization(loaded, test)
        images = pix_proj.projection.float().reshape(n_pix, *test.images.shape[1:])
        _, logits_pix = extract_features(loaded.module, norm.to_model(images), head.name)
        accuracy["clean_pixel_subset"] = float((pred_test[:n_pix] == labels_test[:n_pix]).double().mean())
        accuracy["pixel_hull"] = float((logits_pix.argmax(1) == labels_test[:n_pix]).double().mean())
        support_pixel = support_label_agreement(pix_proj.support, pix_proj.weights, labels_train, labels_test[:n_pix])
        sub = proj.support[:n_pix], proj.weights[:n_pix]
        support_feature_subset = support_label_agreement(*sub, labels_train, labels_test[:n_pix])
    else:
        support_feature_subset = None

    table = []
    for k in range(min(n_table, len(test))):
        r = float(d_f[k])
        margins = [None if not torch.isfinite(v) else round(float(v), 6) for v in flip_test.distance[k]]
        table.append(MarginRow(k, int(labels_test[k]), int(flip_test.classes[k]), margins, round(r, 6),
                               int(flip_test.min_class[k]), round(float(d_h[k]), 6),
                               int(((f_train - f_test[k]).norm(dim=1) < r).sum()),
                               int(((f_test - f_test[k]).norm(dim=1) < r).sum()) - 1))

    rel_gap = proj.gap / proj.distance.clamp_min(1e-12) ** 2
    solver = SolverReport(float(proj.gap.max()), float(rel_gap.max()), proj.n_unconverged, proj.rounds,
                          float(_finite_max(flip_test.kkt_residual, flip_train.kkt_residual)),
                          int((~flip_test.converged & ~flip_test.infeasible).sum()
                              + (~flip_train.converged & ~flip_train.infeasible).sum()),
                          int(flip_test.infeasible.sum() + flip_train.infeasible.sum()),
                          None if pix_proj is None else float(pix_proj.gap.max()),
                          None if pix_proj is None else pix_proj.n_unconverged)
    examples = _examples(test, train, f_test, proj, pix_proj, most, least, amb, d_f, d_h)
    return GeometryResult(
        model=loaded.spec, data=test.name, classes=list(test.classes) or [str(c) for c in range(head.weight.shape[0])],
        feature_layer=head.name, n_features=int(f_train.shape[1]), nonneg=nonneg, nonneg_note=note,
        n_train=len(train), n_test=len(test), n_pixel=n_pix, n_pixel_train=int(pix_train.shape[0]),
        lipschitz=lipschitz_constant(head.weight), accuracy=accuracy,
        ambiguity=Ambiguity(share_hull_closer=float((d_h < d_f).double().mean()),
                            median_d_f_min=float(d_f.median()), median_d_h=float(d_h.median()),
                            share_outside_hull=float((d_h > 1e-6 * f_train.norm(dim=1).mean()).double().mean()),
                            most_ambiguous=[int(i) for i in most], least_ambiguous=[int(i) for i in least]),
        union=UnionOfRegions(share_test_in_union=union_train.share_inside,
                             share_train_balls_with_other=union_train.share_balls_with_other,
                             share_test_balls_with_other=union_test.share_balls_with_other,
                             mean_count_per_ball=float(all_counts.double().mean()),
                             max_count_per_ball=int(all_counts.max()), pool_size=len(train) + len(test) - 1),
        support=SupportLabels(*(None if s is None else SupportAgreement(**s)
                                for s in (support_feature, support_feature_subset, support_pixel))),
        table1=table, solver=solver,
        distances={"d_f_min": Artifact.of(d_f.double()), "d_h": Artifact.of(d_h.double())},
        examples=examples, timings={k: round(v, 2) for k, v in timings.items()}, seed=seed)


def _grey_copies(images: torch.Tensor) -> bool:
    """Images ``(B, C, H, W)`` whose C > 1 channels are copies of one grey channel."""
    return images.shape[1] > 1 and bool((images == images[:, :1]).all())


def _finite_max(*tensors: torch.Tensor) -> float:
    values = torch.cat([t.flatten() for t in tensors])
    values = values[torch.isfinite(values)]
    return float(values.max()) if values.numel() else 0.0


def _examples(test: DataBatch, train: DataBatch, f_test: torch.Tensor, proj: HullProjection,
              pix_proj: HullProjection | None, most: torch.Tensor, least: torch.Tensor, amb: torch.Tensor,
              d_f: torch.Tensor, d_h: torch.Tensor) -> GeometryExamples:
    """Small pictures for the report: Fig. 2 / 5 (first image, its features), Fig. 6 (supports), Fig. 13."""
    top = lambda p, k=4: p.support_lists()[0][:k]  # noqa: E731
    supports = lambda p: [SupportImage(i, round(a, 5), int(train.labels[i]), pictures(train.images[i:i + 1])[0])  # noqa: E731
                          for i, a in top(p)]
    ambiguous = lambda rows: [AmbiguousImage(int(i), int(test.labels[i]), round(float(d_f[i]), 5),  # noqa: E731
                                             round(float(d_h[i]), 5), pictures(test.images[i:i + 1])[0]) for i in rows]
    return GeometryExamples(
        first=pictures(test.images[:1])[0], first_features=_rounded(f_test[0], 5),
        first_hull_features=_rounded(proj.projection[0], 5), feature_support=supports(proj),
        most_ambiguous=ambiguous(most), least_ambiguous=ambiguous(least),
        first_pixel_hull=None if pix_proj is None else
        pictures(pix_proj.projection[:1].float().reshape(1, *test.images.shape[1:]))[0],
        pixel_support=None if pix_proj is None else supports(pix_proj))


__all__ = ["FlipPoints", "analyze", "features_of"]


def detect(loaded: LoadedModel, test: DataBatch, *, train: DataBatch | None = None,
           attacks: Sequence[str | AttackSpec] = ("pgd", "deepfool", "fmn"), eps: float = 0.1, steps: int = 20,
           feature_layer: str | None = None, fpr: float = 0.05, seed: int = 0, track: Track = None) -> "DetectionResult":
    """Margins ``d^{f,min}`` of clean inputs vs their adversarial versions (Sec. 7.2, App. B): ROC AUC and the
    detection rate at ``fpr`` false positives, per attack (shared adapter :mod:`nullsight.attacks`; ``name[:eps]``,
    ``eps`` the budget of a bounded attack named without one).

    With ``train``, App. B too: the training hull in feature space, each adversarial input's distance to it, the
    share nearer a boundary than the hull, the paired change of ``d_h`` (towards the hull?), and the adversarial
    margins against every clean training and test margin."""
    from ..attacks import AttackSpec, run_attack
    from .regions import detection_scores
    from .result import AttackDetection, DetectionResult

    head = feature_head(loaded.module, feature_layer)
    norm = model_normalization(loaded, test)
    f_clean, logits = extract_features(loaded.module, norm.to_model(test.images), head.name)
    nonneg = bool((f_clean >= 0).all())
    solver = FlipPointSolver(head.weight, head.bias, nonneg=nonneg)
    clean = solver(f_clean)
    pred = logits.argmax(1)
    correct = pred == test.labels
    clean_margin = clean.min_distance[correct]
    if not correct.any():
        raise InvalidInputError(f"the model classifies none of the {len(test)} test images correctly: there is nothing "
                                "to attack (train it first)")
    hull = clean_hull = all_margins = None
    if train is not None:
        f_train, _ = extract_features(loaded.module, norm.to_model(train.images), head.name)
        solver = FlipPointSolver(head.weight, head.bias, nonneg=nonneg and bool((f_train >= 0).all()))
        hull = HullProjector(f_train)
        clean_hull = hull(f_clean[correct], track=track).distance
        all_margins = torch.cat([solver(f_train).min_distance, clean.min_distance])
    rows, margins = [], {"clean": _rounded(clean_margin)}
    for attack in attacks:
        spec = AttackSpec.of(attack, eps)
        name, budget = spec.name, spec.eps
        t0 = time.perf_counter()
        adv = run_attack(loaded.module, test.images[correct], norm.mean, norm.std, name=name, eps=budget, steps=steps,
                         seed=seed, labels=test.labels[correct])
        ok = torch.tensor(adv.success, dtype=torch.bool)
        f_adv = (extract_features(loaded.module, norm.to_model(adv.adversarial.cpu()[ok]), head.name)[0]
                 if ok.any() else None)  # an attack that never succeeded has no adversarial features
        flips = solver(f_adv) if f_adv is not None and len(f_adv) else None
        adv_margin = flips.min_distance if flips is not None else torch.zeros(0, dtype=torch.float64)
        scores = detection_scores(clean_margin, adv_margin, fpr)
        linf = torch.tensor(adv.linf)[ok]
        appendix = None
        if hull is not None and f_adv is not None and len(f_adv):
            index = correct.nonzero().squeeze(1)[ok]
            appendix = appendix_b(index, clean_margin[ok], adv_margin, clean_hull[ok], hull(f_adv, track=track).distance,
                                  all_margins)
        rows.append(AttackDetection(attack=name, eps=budget, steps=steps, success_rate=adv.success_rate,
                                    n_adversarial=int(ok.sum()),
                                    median_linf=float(linf.median()) if linf.numel() else None,
                                    **scores, seconds=round(time.perf_counter() - t0, 1),
                                    flip_max_kkt=None if flips is None else _finite_max(flips.kkt_residual),
                                    appendix_b=appendix))
        margins[spec.label] = _rounded(adv_margin)  # pgd@2/255 and pgd@8/255 each keep their margins
    return DetectionResult(model=loaded.spec, data=test.name, n=len(test),
                           clean_accuracy=float(correct.double().mean()), attacks=rows, margins=margins, fpr=fpr,
                           seed=seed, n_train=None if train is None else len(train),
                           n_clean_margins=None if all_margins is None else int(all_margins.numel()))


def appendix_b(index: torch.Tensor, d_f_clean: torch.Tensor, d_f_adv: torch.Tensor, d_h_clean: torch.Tensor,
               d_h_adv: torch.Tensor, clean_margins: torch.Tensor) -> "AppendixB":
    """App. B for one attack, from paired distances of the attacked images (tensors ``(n,)``, aligned)."""
    from ..reproduce.stats import paired, proportion
    from .result import AdversarialPair, AppendixB, PairedShift, Share

    def share(hits: torch.Tensor) -> Share:
        m = proportion(int(hits.sum()), hits.numel())
        return Share(int(hits.sum()), hits.numel(), m.value, m.low, m.high)

    shift = paired(d_h_clean.tolist(), d_h_adv.tolist())
    smallest = float(clean_margins[torch.isfinite(clean_margins)].min())
    pairs = [AdversarialPair(int(i), round(float(a), 6), round(float(b), 6), round(float(c), 6), round(float(d), 6))
             for i, a, b, c, d in zip(index, d_f_clean, d_f_adv, d_h_clean, d_h_adv)]
    return AppendixB(boundary_closer=share(d_f_adv < d_h_adv),
                     towards_hull=PairedShift(len(pairs), float(d_h_clean.median()), float(d_h_adv.median()),
                                              shift.value, float((d_h_adv < d_h_clean).double().mean()), shift.p),
                     below_all_clean=share(d_f_adv < smallest), min_clean_margin=smallest,
                     d_h_adversarial_median=float(d_h_adv.median()), pairs=Artifact.table(pairs))


def inverse(loaded: LoadedModel, test: DataBatch, index_a: int = 0, index_b: int | None = None, *,
            train: DataBatch | None = None, feature_layer: str | None = None, n_radii: int = 8, path_points: int = 41,
            iterations: int = 8, n_references: int = 3, seed: int = 0) -> "InverseResult":
    """Seed 002's pictures of the pixel space behind the feature space (Eqs. 15-18, each solved by continuation):
    test image ``a`` mapped onto its closest flip point (Fig. 3c) and onto its projection on the training hull
    (Fig. 5c), images on the perimeter of ``B(x_phi)`` from several references (Fig. 7), the morph from image ``b``
    into ``a`` by a shrinking ball (Fig. 8), and the straight pixel line from ``b`` to ``a`` in 2-D (App. A, Fig. 9).

    With ``train`` (the paper's pair), ``b`` is a training image: by default the one of ``a``'s class farthest from
    ``a`` inside ``B(x_phi)`` (the paper's was 2.546 from ``x_phi``, on the ball's perimeter), else the nearest of
    its class; without, a test image (the nearest of ``a``'s class) and no hull or perimeter figures.
    """
    from .features import feature_map
    from .inverse import inverse_map, radii, two_point_projection
    from .result import FlipTarget, InverseImages, InverseResult, MappedImage, MorphStep

    torch.manual_seed(seed)
    pool = train if train is not None else test
    if not 0 <= index_a < len(test) or (index_b is not None and not 0 <= index_b < len(pool)):
        raise InvalidInputError(f"image a must be in [0, {len(test)}) and b in [0, {len(pool)})")
    head = feature_head(loaded.module, feature_layer)
    norm = model_normalization(loaded, test)
    f_all, logits = extract_features(loaded.module, norm.to_model(test.images), head.name)
    f_pool, logits_pool = (f_all, logits) if train is None else extract_features(
        loaded.module, norm.to_model(train.images), head.name)
    pred, pred_pool = logits.argmax(1), logits_pool.argmax(1)
    a, fa, class_a = test.images[index_a:index_a + 1], f_all[index_a:index_a + 1], int(pred[index_a])
    nonneg = bool((f_all >= 0).all() and (f_pool >= 0).all())
    flips = FlipPointSolver(head.weight, head.bias, nonneg=nonneg)(fa)
    radius_a = float(flips.min_distance[0])
    if index_b is None:
        index_b = _partner(f_pool, pred_pool, fa[0], class_a, radius_a, exclude=index_a if train is None else None)
    b, fb = pool.images[index_b:index_b + 1], f_pool[index_b:index_b + 1]
    phi = feature_map(loaded.module, head.name, norm.to_model)
    for p in loaded.module.parameters():
        p.requires_grad_(False)

    def classify(images: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            return loaded.module(norm.to_model(images))

    def head_class(features: torch.Tensor) -> int:
        return int((features.double() @ head.weight.double().T + head.bias.double()).argmax(1)[0])

    def mapped(role: str, target: torch.Tensor, reference: torch.Tensor, radius: float = 0.0) -> MappedImage:
        m = inverse_map(phi, target.float(), reference, radius, mode="perimeter" if radius else "point",
                        steps=iterations)
        return MappedImage(role, float(m.target_distance[0]), radius, float(m.residual[0]),
                           float(m.relative_residual[0]), float(m.pixel_distance[0]), int(classify(m.images).argmax(1)[0]),
                           head_class(target) if not radius else class_a, pictures(m.images)[0],
                           None if reference is a else pictures(reference)[0])

    # Fig. 8: the ball about x_phi shrinks from b's distance to 0, each radius warm-started from the last
    d_ab = float((fa - fb).norm())
    rs = radii(d_ab, n_radii)
    morph, current = [], b
    for r in rs:
        step = inverse_map(phi, fa, b, r, mode="ball" if r > 0 else "point", start=current, steps=max(2, iterations // 4))
        current = step.images
        morph.append((r, step))
    morph_pred = classify(torch.cat([m.images for _, m in morph])).argmax(1)

    j = int(flips.min_class[0])
    flip_target = FlipTarget(int(flips.classes[0]), j, radius_a)
    if math.isfinite(radius_a):
        to_flip = inverse_map(phi, flips.points[:1, j].float(), a, mode="point", steps=iterations)
        flip_logits = classify(to_flip.images)
        flip_target = dataclasses.replace(
            flip_target, residual=float(to_flip.residual[0]), pixel_distance=float(to_flip.pixel_distance[0]),
            predicted=int(flip_logits.argmax(1)[0]), logit_gap=float(flip_logits[0, flip_target.class_from] - flip_logits[0, j]),
            image=pictures(to_flip.images)[0], relative_residual=float(to_flip.relative_residual[0]))
    hull_target, perimeter = None, []
    if train is not None:
        proj = HullProjector(f_pool)(fa)
        hull_target = mapped("a onto its projection on the training hull (Fig. 5c)", proj.projection, a)
        if math.isfinite(radius_a):
            for i in _references(pred_pool, class_a, n_references):
                perimeter.append(mapped(f"training image #{i} onto the perimeter of B(x_phi) (Fig. 7)", fa,
                                        pool.images[i:i + 1], radius_a))
    t = torch.linspace(0, 1, path_points)[:, None, None, None]
    line = (1 - t) * b + t * a
    f_line, _ = extract_features(loaded.module, norm.to_model(line), head.name)
    xy = two_point_projection(fb[0], fa[0], f_line)
    return InverseResult(
        model=loaded.spec, data=test.name, index_a=index_a, index_b=index_b, distance_ab=d_ab,
        morph=[MorphStep(r, float(m.residual[0]), float(m.pixel_distance[0]), int(c),
                         float(m.residual[0]) / d_ab if d_ab > 0 else 0.0)
               for (r, m), c in zip(morph, morph_pred)],
        flip_target=flip_target,
        path_2d={"t": _rounded(t.flatten(), 4), "c1": _rounded(xy[:, 0]), "c2": _rounded(xy[:, 1]),
                 "pixel_line_length": [float((a - b).norm())]},
        images=InverseImages(pictures(a)[0], pictures(b)[0], pictures(torch.cat([m.images for _, m in morph]))),
        seed=seed, b_split="test" if train is None else "train", class_a=class_a, radius_a=radius_a,
        hull_target=hull_target, perimeter=perimeter)


def _partner(features: torch.Tensor, pred: torch.Tensor, fa: torch.Tensor, class_a: int, radius: float,
             exclude: int | None) -> int:
    """Image b of the morph: of ``a``'s class, the farthest inside ``B(x_phi)``, else the nearest."""
    same = (pred == class_a).nonzero().squeeze(1)
    if exclude is not None:
        same = same[same != exclude]
    if not same.numel():
        raise InvalidInputError("no other image shares image a's class: pass --b")
    dist = (features[same] - fa).norm(dim=1)
    inside = dist < radius
    return int(same[inside][dist[inside].argmax()]) if inside.any() else int(same[dist.argmin()])


def _references(pred: torch.Tensor, class_a: int, count: int) -> list[int]:
    """Fig. 7's references: the first training image of each of ``count`` classes other than ``a``'s."""
    chosen: dict[int, int] = {}
    for i, c in enumerate(pred.tolist()):
        if c != class_a and c not in chosen:
            chosen[c] = i
            if len(chosen) == count:
                break
    return list(chosen.values())

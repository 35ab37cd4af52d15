"""From names to class-mask and robust-mask results (``nullsight masks class | robust``)."""

from __future__ import annotations

from pathlib import Path

import torch

from ..artifacts import Artifact
from ..attacks import run_attack
from ..data import load_data
from ..errors import InvalidInputError
from ..inference import predict
from ..models import save_state_dict
from .defence import MaskPipeline, accuracy, fit_class_masks
from .fourier import centred_spectrum
from .result import ClassMasksResult, RobustMasksResult
from ..models.classifier import load_classifier
from .runner import META, on_device
from .sets import AttackSpec


def _train_pool(data: str, size: tuple[int, ...], per_class: int, n_classes: int, seed: int, device: str):
    """Up to ``per_class`` shuffled training images of each class."""
    batch = load_data(data, split="train", n=per_class * n_classes * 3, size=size[1:], channels=size[0], seed=seed,
                      shuffle=True)
    keep = torch.cat([torch.nonzero(batch.labels == k).flatten()[:per_class] for k in range(n_classes)])
    return batch.images[keep].to(device), batch.labels[keep].to(device)


def _n_classes(model, norm, x) -> int:
    with torch.no_grad():
        return int(model(norm.to_model(x[:1])).shape[1])


def class_run(spec: str, data: str, *, train_per_class: int, test_n: int, lam: float = 0.01, steps: int = 500,
              per_step: int = 8, arch: str | None = None, seed: int = 0, device: str = "cpu",
              masks_out: Path | None = None, progress=None) -> ClassMasksResult:
    """Class-level essential masks from training images, evaluated on the first ``test_n`` test images."""
    classifier = load_classifier(spec, data, n=test_n, arch=arch, device=device, what="masks")
    (loaded, norm, _), (x_test, y_test) = classifier, on_device(classifier, device)
    model = loaded.module
    k = _n_classes(model, norm, x_test)
    x, y = _train_pool(data, loaded.input_size, train_per_class, k, seed, device)
    masks = fit_class_masks(model, norm, x, y, k, lam, steps, per_step, seed=seed, progress=progress)
    if masks_out is not None:
        save_state_dict({"masks": masks.cpu()}, masks_out,
                        {META + "kind": "class", META + "lambda": repr(lam), META + "model": loaded.spec,
                         META + "data": data, META + "shape": ",".join(map(str, masks.shape[1:]))})
    per_class = [accuracy(model, norm, x_test[y_test == c], y_test[y_test == c], masks, y_test[y_test == c])
                 for c in range(k)]
    shown = centred_spectrum(masks).mean(1)
    return ClassMasksResult(
        lam, steps, train_per_class, len(x_test), accuracy(model, norm, x_test, y_test),
        accuracy(model, norm, x_test, y_test, masks, y_test), accuracy(model, norm, x_test, y_test, masks),
        per_class, masks.flatten(1).mean(1).tolist(), Artifact.of(shown.to(torch.float16)),
        list(masks.shape[2:]), str(masks_out) if masks_out else None, model=loaded.spec, data=data, seed=seed)


def _adversarial(model, norm, x, y, attack: AttackSpec, steps: int | None, seed: int):
    n_steps = steps or (50 if attack.eps is None else 10)
    return run_attack(model, x, norm.mean, norm.std, attack.name, attack.eps, n_steps, seed, y)


def robust_run(spec: str, data: str, *, attacks: list[str | AttackSpec], train_per_class: int, test_n: int, lam: float = 0.001,
               steps: int = 500, per_step: int = 8, attack_steps: int | None = None, adaptive: list[str | AttackSpec] | None = None,
               arch: str | None = None, seed: int = 0, device: str = "cpu", progress=None) -> RobustMasksResult:
    """Table 4: robust essential masks trained against each attack, tested on clean and attacked test images."""
    specs = [AttackSpec.of(a) for a in attacks]
    adaptive_specs = [AttackSpec.of(a) for a in (adaptive or [])]
    classifier = load_classifier(spec, data, n=test_n, arch=arch, device=device, what="masks")
    (loaded, norm, _), (x_test, y_test) = classifier, on_device(classifier, device)
    model = loaded.module
    k = _n_classes(model, norm, x_test)
    x, y = _train_pool(data, loaded.input_size, train_per_class, k, seed, device)
    _, pred, _ = predict(model, norm.to_model(x))
    x, y = x[pred == y], y[pred == y]
    column_masks = []
    for a in specs:
        adv = _adversarial(model, norm, x, y, a, attack_steps, seed)
        _, adv_pred, _ = predict(model, norm.to_model(adv.adversarial))
        ok = adv_pred != y
        if not ok.any():
            raise InvalidInputError(f"{a.label} made none of the training images adversarial: no robust masks")
        triple = (adv.adversarial[ok], y[ok], adv_pred[ok])
        column_masks.append(fit_class_masks(model, norm, x, y, k, lam, steps, per_step, seed=seed,
                                            adversarial=triple, progress=progress))
    rows, grid, success = ["clean"], [], {}
    grid.append([accuracy(model, norm, x_test, y_test)] + [accuracy(model, norm, x_test, y_test, m) for m in column_masks])
    for a in specs:
        adv = _adversarial(model, norm, x_test, y_test, a, attack_steps, seed)
        success[a.label] = adv.success_rate
        rows.append(a.label)
        grid.append([accuracy(model, norm, adv.adversarial, y_test)]
                    + [accuracy(model, norm, adv.adversarial, y_test, m) for m in column_masks])
    adaptive_grid = []
    for a in adaptive_specs:
        row: list[float | None] = [None]
        for m in column_masks:
            pipeline = MaskPipeline(model, norm, m)
            adv = _adversarial(pipeline, norm, x_test, y_test, a, attack_steps, seed)
            row.append(accuracy(model, norm, adv.adversarial, y_test, m))
        adaptive_grid.append(row)
    return RobustMasksResult(lam, steps, train_per_class, len(x_test), rows,
                             ["none"] + [a.label for a in specs], grid, [a.label for a in adaptive_specs],
                             adaptive_grid, success, model=loaded.spec, data=data, seed=seed)

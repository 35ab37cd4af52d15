"""From names to mask results (``nullsight masks ...``): models, data, attacks, mask files, result dataclasses."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch

from ..artifacts import Artifact
from ..errors import InvalidInputError
from ..models import load_state_dict, save_state_dict
from ..models.classifier import Classifier, load_classifier
from ..models.checkpoints import read_metadata
from .chunked import chunked_sets, config_key
from .correlation import cosine_similarity, dimension_checks, idcor, svcca, svcca_null
from .fourier import apply_mask, centred_spectrum
from .kclass import kclass_trend
from .optimise import MaskConfig, check_classifier
from .result import (CorrelationRow, MaskCorrelationResult, MaskExamples, MaskRunConfig, MasksResult,
                     MaskSetSummary)
from .sets import AttackSpec, MaskSet

if TYPE_CHECKING:
    from .store import ChunkStore

N_EXAMPLES = 4
CHUNK = 128
"""Images per chunk of ``masks compute``: at seed 003's 2,000 steps a chunk of one set takes minutes on one thread."""
META = "nullsight.masks."


def on_device(classifier: Classifier, device: str) -> tuple[torch.Tensor, torch.Tensor]:
    """The pixels and labels of a loaded classifier's data (:func:`~nullsight.models.classifier.load_classifier`)
    on ``device``, checked to be what the model classifies."""
    x, y = classifier.data.images.to(device), classifier.data.labels.to(device)
    check_classifier(classifier.loaded.module, x, classifier.normalization)
    return x, y


def save_mask_set(path: Path, masks: MaskSet, model: str, data: str, config: MaskConfig) -> Path:
    """One mask set as safetensors: ``masks`` (N, C, H, W), ``indices``, ``labels``, ``targets``, with metadata."""
    tensors = {"masks": masks.fit.masks.cpu(), "indices": torch.tensor(masks.indices),
               "labels": torch.tensor(masks.labels), "targets": torch.tensor(masks.targets),
               "keeps": torch.tensor(masks.fit.keeps_target, dtype=torch.bool)}
    meta = {META + "kind": masks.kind, META + "attack": masks.attack.name if masks.attack else "",
            META + "eps": "" if masks.attack is None or masks.attack.eps is None else repr(masks.attack.eps),
            META + "label": masks.attack.label if masks.attack else "essential",
            META + "success_rate": repr(masks.success_rate), META + "lambda": repr(config.lam),
            META + "model": model, META + "data": data, META + "shape": ",".join(map(str, masks.fit.masks.shape[1:]))}
    return save_state_dict(tensors, path, meta)


def load_mask_set(path: Path) -> tuple[dict[str, torch.Tensor], dict[str, str]]:
    """Tensors and metadata of a file written by :func:`save_mask_set`."""
    meta = read_metadata(path)
    if META + "kind" not in meta:
        raise InvalidInputError(f"{path} is not a nullsight mask file (no {META}kind metadata)")
    tensors = load_state_dict(path)
    shape = tuple(int(v) for v in meta[META + "shape"].split(","))
    if tuple(tensors["masks"].shape[1:]) != shape:
        raise InvalidInputError(f"{path}: masks of shape {tuple(tensors['masks'].shape[1:])}, metadata says {shape}")
    return tensors, meta


def _summary(s: MaskSet, file: Path | None) -> MaskSetSummary:
    name = s.attack.label if s.attack else "essential"
    if s.fit is None:
        return MaskSetSummary(name, s.kind, s.attack.name if s.attack else None, s.attack.eps if s.attack else None, 0,
                              s.success_rate, None, None, None, None, None, None)
    density = s.fit.masks.flatten(1).mean(1)
    steps = np.asarray(s.fit.steps)
    return MaskSetSummary(name, s.kind, s.attack.name if s.attack else None, s.attack.eps if s.attack else None,
                          len(s.indices), s.success_rate if s.attack else None, s.fit.keep_rate,
                          round(float(density.mean()), 5), float(steps.mean()), int(steps.min()), int(steps.max()),
                          str(file) if file else None, float(np.median(steps)), float(np.percentile(steps, 90)),
                          sum(s.fit.at_cap))


def _flat(t: torch.Tensor) -> Artifact:
    return Artifact.of(t.detach().to(torch.float16))


def _examples(ess: MaskSet, adv: MaskSet, x: torch.Tensor) -> MaskExamples | None:
    if adv.fit is None:
        return None
    pos = {i: p for p, i in enumerate(ess.indices)}
    take = list(range(min(N_EXAMPLES, len(adv.indices))))
    e_idx = torch.tensor([pos[adv.indices[t]] for t in take])
    clean = x[torch.tensor([adv.indices[t] for t in take])]
    m_e, m_a = ess.fit.masks[e_idx], adv.fit.masks[take]
    return MaskExamples(adv.attack.label, list(x.shape[1:]), [adv.labels[t] for t in take],
                        [adv.targets[t] for t in take], _flat(clean), _flat(adv.images[take]),
                        _flat(apply_mask(clean, m_e).clamp(0, 1)), _flat(apply_mask(adv.images[take], m_a).clamp(0, 1)),
                        _flat(centred_spectrum(m_e)), _flat(centred_spectrum(m_a)))


def compute_run(spec: str, data: str, n: int, attacks: list[str | AttackSpec], config: MaskConfig, masks_dir: Path,
                attack_steps: int | None = None, arch: str | None = None, seed: int = 0, device: str = "cpu",
                progress=None, weights: str = "none", chunk: int = CHUNK, store: ChunkStore | None = None) -> MasksResult:
    """Essential masks of the first ``n`` test images and adversarial masks for each attack, saved under ``masks_dir``.

    The sets are computed ``chunk`` images at a time (:mod:`~nullsight.masks.chunked`); ``store`` keeps each
    finished chunk, and a rerun with the same store and settings skips the chunks it holds.
    """
    if chunk < 1:
        raise InvalidInputError(f"the chunk size must be at least 1, got {chunk}")
    specs = [AttackSpec.of(a) for a in attacks]
    classifier = load_classifier(spec, data, n=n, weights=weights, arch=arch, device=device, what="masks")
    (loaded, norm, _), (x, y) = classifier, on_device(classifier, device)
    torch.manual_seed(seed)
    key = "" if store is None else config_key(loaded.module, norm, x, y, data, specs, config, chunk, attack_steps,
                                                seed, device)
    sets = chunked_sets(loaded.module, norm, x, y, specs, config, chunk, attack_steps, seed, store, key, progress)
    ess = sets[0]
    files = {"essential": save_mask_set(masks_dir / "essential.safetensors", ess, loaded.spec, data, config)}
    for s in sets[1:]:
        if s.fit is not None:
            files[s.attack.label] = save_mask_set(
                masks_dir / f"{s.attack.label.replace('/', '_').replace('@', '-')}.safetensors", s, loaded.spec, data,
                config)
    examples = next((_examples(ess, s, x) for s in sets[1:] if s.fit is not None), None)
    summaries = [_summary(s, files.get(s.attack.label if s.attack else "essential")) for s in sets]
    cfg = MaskRunConfig(config.lam, config.lr, config.min_steps, config.max_steps, config.patience, config.tol,
                        attack_steps, chunk)
    return MasksResult(len(x), len(ess.indices) / len(x), cfg, summaries, examples, model=loaded.spec, data=data, seed=seed)


def _keeps(masks: dict) -> list[bool]:
    return masks["keeps"].tolist() if "keeps" in masks else [True] * len(masks["indices"])


def _pairs(ess: dict, adv: dict, pool: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Paired M_E and M_A of the same images, both still giving their target class (as the paper keeps only those);
    ``pool``: average-pooled to pool x pool first (Sec. 4.5.2: Imagenette's 224 x 224 masks to 32 x 32)."""
    pos = {int(i): p for p, (i, k) in enumerate(zip(ess["indices"].tolist(), _keeps(ess))) if k}
    common = [(pos[int(i)], q) for q, (i, k) in enumerate(zip(adv["indices"].tolist(), _keeps(adv)))
              if k and int(i) in pos]
    e = np.array([c[0] for c in common], dtype=np.int64)
    a = np.array([c[1] for c in common], dtype=np.int64)
    def flat(t: torch.Tensor) -> np.ndarray:
        t = t.double()
        return (t if pool is None else torch.nn.functional.adaptive_avg_pool2d(t, pool)).flatten(1).numpy()

    return flat(ess["masks"])[e], flat(adv["masks"])[a], ess["labels"].numpy()[e]


def correlate_run(files: list[Path], permutations: int = 100, ks: list[int] | None = None, draws: int = 5,
                  seed: int = 0, pool: int | None = None, kclass_permutations: int | None = None) -> MaskCorrelationResult:
    """Tables 1 and 3 and the Fig. 4 trend from one essential mask file and adversarial mask files
    (``kclass_permutations``: the Fig. 4 subsets' permutation tests, default ``permutations``)."""
    loaded = [(f, *load_mask_set(f)) for f in files]
    essentials = [x for x in loaded if x[2][META + "kind"] == "essential"]
    if len(essentials) != 1:
        raise InvalidInputError(f"give exactly one essential mask file, got {len(essentials)}")
    _, ess, ess_meta = essentials[0]
    rows, trends = [], []
    for f, adv, meta in loaded:
        if meta[META + "kind"] != "adversarial":
            continue
        if adv["masks"].shape[1:] != ess["masks"].shape[1:]:
            raise InvalidInputError(f"{f}: masks of shape {tuple(adv['masks'].shape[1:])}, the essential masks are "
                                    f"{tuple(ess['masks'].shape[1:])}")
        label, eps = meta[META + "label"], float(meta[META + "eps"]) if meta[META + "eps"] else None
        rate = float(meta[META + "success_rate"])
        e, a, labels = _pairs(ess, adv, pool)
        if len(e) < 4:
            rows.append(CorrelationRow(label, eps, rate, len(e), *([None] * 8)))
            continue
        cos = cosine_similarity(e, a)
        ic = idcor(e, a, permutations, seed)
        dims = dimension_checks(e, a, seed) if len(e) >= 8 else (None, None, None)
        rows.append(CorrelationRow(label, eps, rate, len(e), svcca(e, a), float(cos.mean()), float(cos.std()),
                                   ic.coefficient, ic.p_value, ic.id_x, ic.id_y, ic.id_joint,
                                   svcca_null(e, a, seed=seed), ic.null, ic.joint_null, *dims))
        if ks:
            trends.append(kclass_trend(label, e, a, labels, ks, draws,
                                       permutations if kclass_permutations is None else kclass_permutations, seed))
    return MaskCorrelationResult(permutations, rows, trends, model=ess_meta[META + "model"],
                                 data=ess_meta[META + "data"], seed=seed)

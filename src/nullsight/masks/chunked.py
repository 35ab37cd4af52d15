"""Mask sets computed chunk by chunk, so that a long ``masks compute`` can be interrupted and resumed.

The images are cut into chunks of ``chunk`` consecutive images; each mask set (essential, then each attack's
adversarial set) is computed one chunk at a time, and each finished chunk is a plain dict of tensors
(:func:`chunk_tensors`) that a store (:class:`~nullsight.masks.store.ChunkStore`, handed in by the CLI) keeps under
:func:`config_key`.  A chunk depends on nothing computed before it (its attack is seeded by :func:`chunk_seed`), and
the sets are always assembled from these dicts, stored or fresh, so a resumed run gives exactly the masks, and the
result, of an uninterrupted one.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import TYPE_CHECKING

import numpy as np
import torch
from torch import nn

from ..attacks import AttackSpec
from ..normalization import Normalization
from .optimise import MaskConfig, MaskFit
from .sets import MaskSet, adversarial_masks, correct_indices, essential_masks

if TYPE_CHECKING:
    from .store import ChunkStore

RESUME_FORMAT = 1
"""Part of every key: raise it when the same configuration would compute a chunk differently."""
ESSENTIAL = "essential"


def chunk_seed(seed: int, chunk: int) -> int:
    """The attack seed of chunk ``chunk``: a function of (seed, chunk) only, never of the chunks that ran before."""
    return int(np.random.SeedSequence([seed, chunk]).generate_state(1)[0])


def _digest(t: torch.Tensor) -> str:
    t = t.detach().cpu().contiguous()
    raw = t.reshape(-1).view(torch.uint8).numpy().tobytes()
    return hashlib.sha256(f"{t.dtype}{tuple(t.shape)}".encode() + raw).hexdigest()


def config_key(model: nn.Module, norm: Normalization, x: torch.Tensor, labels: torch.Tensor, data: str,
               attacks: list[AttackSpec], config: MaskConfig, chunk: int, attack_steps: int | None, seed: int,
               device: str) -> str:
    """A hash of everything a chunk's masks depend on: the model (its class, every parameter and buffer, its
    normalisation), the images and labels (their bytes, beside the data's name), the attacks, the optimiser's
    settings, the chunk size, the seed, the device type and the torch and foolbox versions."""
    from importlib import metadata

    try:
        foolbox = metadata.version("foolbox")
    except metadata.PackageNotFoundError:
        foolbox = "absent"
    model_hash = hashlib.sha256()
    for name, tensor in model.state_dict().items():
        model_hash.update(f"{name}:{_digest(tensor)};".encode())
    fields = {"format": RESUME_FORMAT, "model": f"{type(model).__module__}.{type(model).__qualname__}",
              "state": model_hash.hexdigest(), "normalization": [list(norm.mean), list(norm.std)], "data": data,
              "n": len(x), "pixels": _digest(x), "labels": _digest(labels),
              "attacks": [[a.name, None if a.eps is None else repr(a.eps)] for a in attacks],
              "attack_steps": attack_steps, "config": dataclasses.asdict(config), "chunk": chunk, "seed": seed,
              "device": torch.device(device).type, "torch": torch.__version__, "foolbox": foolbox}
    return hashlib.sha256(json.dumps(fields, sort_keys=True, default=repr).encode()).hexdigest()[:32]


def chunk_tensors(s: MaskSet, attacked: int, empty: torch.Tensor) -> dict[str, torch.Tensor]:
    """One chunk of a mask set as CPU tensors: which images, labels, targets, masks (N, C, H, W), steps, final
    losses, whether each mask keeps its target, whether it hit the step cap, the adversarial images (adversarial
    sets only) and ``attacked``, how many correctly classified images the attack was run on.  ``empty``: a
    (0, C, H, W) tensor standing for the masks and images of a chunk without any."""
    long = dict(dtype=torch.long)
    fit = s.fit
    out = {"indices": torch.tensor(s.indices, **long), "labels": torch.tensor(s.labels, **long),
           "targets": torch.tensor(s.targets, **long), "attacked": torch.tensor([attacked], **long),
           "masks": fit.masks.detach().cpu() if fit else empty.cpu(),
           "steps": torch.tensor(fit.steps if fit else [], **long),
           "loss": torch.tensor(fit.loss if fit else [], dtype=torch.float64),
           "keeps": torch.tensor(fit.keeps_target if fit else [], dtype=torch.bool),
           "at_cap": torch.tensor(fit.at_cap if fit else [], dtype=torch.bool)}
    if s.kind != ESSENTIAL:
        out["images"] = s.images.detach().cpu() if fit else empty.cpu()
    return out


def merge_chunks(attack: AttackSpec | None, parts: list[dict[str, torch.Tensor]], x: torch.Tensor) -> MaskSet:
    """The mask set of ``attack`` (None: essential) from its chunks, in order, on ``x``'s device."""
    cat = {k: torch.cat([p[k] for p in parts]) for k in parts[0]}
    indices, attacked = cat["indices"].tolist(), int(cat["attacked"].sum())
    fit = None if not indices else MaskFit(cat["masks"].to(x.device), cat["steps"].tolist(), cat["loss"].tolist(),
                                           cat["keeps"].tolist(), cat["at_cap"].tolist())
    if attack is None:
        return MaskSet(ESSENTIAL, None, indices, cat["labels"].tolist(), cat["targets"].tolist(), fit,
                       x[cat["indices"].to(x.device)])
    rate = len(indices) / attacked if attacked else 0.0
    images = cat["images"].to(x.device) if fit else x[:0]
    return MaskSet("adversarial", attack, indices, cat["labels"].tolist(), cat["targets"].tolist(), fit, images, rate)


def _compute(model: nn.Module, norm: Normalization, x: torch.Tensor, labels: torch.Tensor, idx: list[int],
             attack: AttackSpec | None, config: MaskConfig, attack_steps: int | None, seed: int) -> MaskSet:
    if not idx:
        return MaskSet(ESSENTIAL if attack is None else "adversarial", attack, [], [], [], None, x[:0])
    if attack is None:
        return essential_masks(model, norm, x, labels, config, correct=idx)
    return adversarial_masks(model, norm, x, labels, idx, attack, config, attack_steps, seed)


def chunked_sets(model: nn.Module, norm: Normalization, x: torch.Tensor, labels: torch.Tensor,
                 attacks: list[AttackSpec], config: MaskConfig, chunk: int, attack_steps: int | None = None,
                 seed: int = 0, store: ChunkStore | None = None, key: str = "", progress=None) -> list[MaskSet]:
    """The essential set and one adversarial set per attack (in that order), chunk by chunk.

    ``store``: where finished chunks are looked up under ``key`` (:func:`config_key`) and put as they finish.
    ``progress`` counts chunks, the ones found in the store included.
    """
    correct = set(correct_indices(model, norm, x, labels))
    starts = range(0, len(x), chunk)
    sets = [None, *attacks]
    units = [(j, c) for j in range(len(sets)) for c in range(len(starts))]
    parts: list[list[dict[str, torch.Tensor]]] = [[] for _ in sets]
    for j, c in units if progress is None else progress(units, "mask chunks", len(units)):
        attack = sets[j]
        name = ESSENTIAL if attack is None else attack.label
        tensors = None if store is None else store.get(key, name, c)
        if tensors is None:
            idx = [i for i in range(starts[c], min(starts[c] + chunk, len(x))) if i in correct]
            s = _compute(model, norm, x, labels, idx, attack, config, attack_steps, chunk_seed(seed, c))
            tensors = chunk_tensors(s, len(idx), x[:0])
            if store is not None:
                store.put(key, name, c, tensors)
        parts[j].append(tensors)
    return [merge_chunks(a, p, x) for a, p in zip(sets, parts)]

"""The audit of a checkpoint too large to build, tensor by tensor straight from its file (seed 000, Table 2).

Each tensor is read from the memory-mapped file (:mod:`nullsight.models.streaming`),
turned into the matrix its module applies, ranked with the policy of
:mod:`nullsight.linalg`, and dropped before the next: peak memory is set by
the largest tensor, not by the checkpoint.

How a tensor is applied comes from a *layout*: the architecture built on the
``meta`` device (shapes only, no memory; ``--arch`` or the ``hf:`` directory's
config), which also gives the first weight the input meets (a forward trace
on meta tensors).  Without one, every ``*.weight`` of two or more dimensions
is read as ``out x rest`` (PyTorch's convention), modules named like
embeddings (``emb``, ``embed_tokens``, ``wte``, ...) as embeddings
(transposed), and the JSON says the orientation was assumed.

Half-precision tensors (fp16, bf16: most large checkpoints) are ranked as
fp32 matrices, as in :func:`nullsight.audit.core.at_compute_precision`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Callable, Iterable

import torch
from torch import nn

from ..errors import InvalidInputError, NonFiniteWeightError
from ..linalg import Method
from ..models.streaming import TensorEntry, iter_tensors
from ..operators import (LinearWeight, SkippedParameter, conv_transpose_matrix, conv_weight_matrix, linear_weights,
                         skip_reason, skipped_parameters)
from ..progress import Tracker
from .core import LayerAudit, ModelAudit, _rank_all, _rank_blocks, at_compute_precision, summarise

_EMBEDDING_PARTS = ("emb", "wte", "wpe", "embed", "embedding", "embeddings", "embed_tokens", "word_embeddings")


@dataclass(frozen=True)
class Layout:
    """How each named tensor is applied, from an architecture built on the meta device."""

    weights: dict[str, LinearWeight]
    skipped: dict[str, SkippedParameter]
    first_weight: str | None
    found_by: str
    rename: Callable[[str], str] | None = None
    order: dict[str, int] = dataclasses.field(default_factory=dict)

    def key(self, name: str) -> str:
        """The parameter name a checkpoint key loads into (renamed as transformers does; DDP's ``module.`` dropped)."""
        key = self.rename(name) if self.rename is not None else name
        if key not in self.order and key.startswith("module.") and key[len("module."):] in self.order:
            key = key[len("module."):]
        return key


def layout_of(
    module: nn.Module, example: torch.Tensor | None = None, all_params: bool = False,
    rename: Callable[[str], str] | None = None,
) -> Layout:
    """The :class:`Layout` of ``module`` (best built on ``torch.device("meta")``); ``example`` locates the first weight."""
    from .core import _first_weight

    weights = linear_weights(module, all_params=all_params)
    skipped = skipped_parameters(module, weights)
    first, found_by = (None, "unknown (empty architecture)") if not weights else _first_weight(module, weights, example)
    order = {n: i for i, (n, _) in enumerate(module.named_parameters(remove_duplicate=False))}
    return Layout({w.name: w for w in weights}, {s.name: s for s in skipped}, first, found_by, rename, order)


def stream_audit(
    entries: list[TensorEntry],
    name: str = "checkpoint",
    layout: Layout | None = None,
    rtol: float | None = None,
    method: Method = "auto",
    track: Tracker | None = None,
    device: str | torch.device = "cpu",
) -> ModelAudit:
    """Audit every tensor of ``entries`` one at a time; nothing but the current tensor is held in memory.

    Each matrix is ranked on ``device`` (the file is always read on the CPU).
    """
    layers: list[LayerAudit] = []
    skipped: list[SkippedParameter] = []
    items: Iterable = iter_tensors(entries)
    if track is not None:
        items = track(items, "tensors", len(entries))
    for entry, tensor in items:
        if layout is not None:
            entry = dataclasses.replace(entry, name=layout.key(entry.name))
        weight, reason = _as_weight(entry, tensor, layout)
        if weight is None:
            skipped.append(SkippedParameter(entry.name, list(entry.shape), _module_type(entry, layout), reason))
            continue
        if not torch.isfinite(weight.matrix.sum()) and not torch.isfinite(weight.matrix).all():
            bad = int((~torch.isfinite(weight.matrix)).sum())
            raise NonFiniteWeightError(f"{name}: NaN/Inf in {entry.name} ({bad} value{'s' if bad > 1 else ''}) "
                                       f"of {entry.file.name}")
        weight = at_compute_precision(dataclasses.replace(weight, matrix=weight.matrix.to(device)))
        ranks = _rank_all([weight], rtol, method, None)[weight.name]
        blocks = _rank_blocks([weight], rtol, method).get(weight.name, [])
        layers.append(LayerAudit.from_rank(weight, ranks[0], ranks[1:], blocks))
        del weight, tensor
    if layout is not None:
        present = {layout.key(e.name) for e in entries}
        skipped += [s for n, s in layout.skipped.items() if n not in present and s.reason.startswith("tied")]
        skipped += [SkippedParameter(n, list(w.matrix.shape), w.module_type,
                                     "not in the checkpoint files (computed from its factors by a parametrisation such "
                                     "as weight norm, or missing): build the model to audit it")
                    for n, w in layout.weights.items() if n not in present]
        first, found_by = layout.first_weight, layout.found_by
        rank = lambda name: layout.order.get(name, len(layout.order))  # noqa: E731  (the module's order, then the file's)
        layers.sort(key=lambda layer: rank(layer.name))
        skipped.sort(key=lambda item: rank(item.name))
    else:
        first, found_by = None, "unknown (no architecture: pass --arch to trace the first weight)"
    if not layers:
        raise InvalidInputError(f"{name} has no weight of two or more dimensions to audit")
    return summarise(name, layers, first, found_by, rtol, method, skipped)


def _as_weight(entry: TensorEntry, tensor: torch.Tensor | None, layout: Layout | None) -> tuple[LinearWeight | None, str]:
    """The matrix ``entry`` is applied as, or ``None`` and the reason it is skipped."""
    if tensor is None:
        return None, f"dtype {entry.dtype} has no torch equivalent here"
    if not tensor.is_floating_point():
        return None, f"{entry.dtype} tensor (an index, a count or quantised storage), not a float matrix"
    if layout is not None and entry.name in layout.skipped:
        return None, layout.skipped[entry.name].reason
    if layout is not None and entry.name in layout.weights:
        meta = layout.weights[entry.name]
        matrix = _like(tensor, meta)
        return LinearWeight(meta.name, meta.module_name, meta.module_type, matrix, meta.groups, meta.blocks,
                            meta.orientation), ""
    if tensor.ndim <= 1:
        return None, skip_reason(entry.name, tensor, entry.name)
    leaf = entry.name.rsplit(".", 1)[-1]
    module_name = entry.name.rsplit(".", 1)[0] if "." in entry.name else ""
    if not leaf.startswith("weight"):
        return None, (f"{tensor.ndim}-D tensor not named *.weight (a position embedding, token or buffer?); "
                      "no architecture given to say how it is applied")
    if layout is None and tensor.ndim == 2 and any(part in _EMBEDDING_PARTS for part in entry.name.split(".")[:-1]):
        return LinearWeight(entry.name, module_name, "Embedding?", tensor.T, orientation="transposed (assumed: embedding name)"), ""
    suffix = " (assumed: no architecture)" if layout is None else " (assumed: not in the architecture)"
    return LinearWeight(entry.name, module_name, "?", conv_weight_matrix(tensor), orientation="stored" + suffix), ""


def _like(tensor: torch.Tensor, meta: LinearWeight) -> torch.Tensor:
    """``tensor`` arranged as the layout's matrix for it (transposed, conv-reshaped, per-group for transposed convs)."""
    if meta.module_type.startswith("ConvTranspose"):
        return conv_transpose_matrix(tensor, meta.groups)
    if meta.orientation.startswith("transposed"):
        return tensor.reshape(tensor.shape[0], -1).T
    return tensor.reshape(meta.matrix.shape)


def _module_type(entry: TensorEntry, layout: Layout | None) -> str:
    if layout is not None and entry.name in layout.skipped:
        return layout.skipped[entry.name].module_type
    return ""


def stream_spec(
    spec: str,
    arch: str | None = None,
    rtol: float | None = None,
    method: Method = "auto",
    all_params: bool = False,
    seed: int = 0,
    track: Tracker | None = None,
    device: str | torch.device = "cpu",
) -> ModelAudit:
    """Audit ``spec`` (a ``.safetensors`` file, a sharded index, a directory, or ``hf:DIR``) straight from its files.

    The layout comes from ``arch`` (any model spec), from an ``hf:`` directory's config, or from the
    ``nullsight.arch`` metadata of the file; it is built on the meta device (no memory).
    """
    from ..models import load_model
    from ..models.checkpoints import read_metadata
    from ..models.hf import key_renamer, local_directory
    from ..models.streaming import checkpoint_files, is_streamable, read_entries
    from ..models.zoo import ARCH_METADATA_KEY

    path = str(local_directory(spec[3:])) if spec.startswith("hf:") else spec
    if not is_streamable(path):
        raise InvalidInputError(f"--stream reads a .safetensors file, a *.safetensors.index.json, a directory holding "
                                f"one, or hf:DIR; {spec} is none of these")
    files = checkpoint_files(path)
    if spec.startswith("hf:"):
        arch = arch or spec
    arch = arch or read_metadata(files[0]).get(ARCH_METADATA_KEY)
    layout = None
    if arch:
        with torch.device("meta"):
            loaded = load_model(arch, weights="none", seed=seed, device="meta")
            rename = key_renamer(loaded.module) if loaded.source == "hf" else None
            layout = layout_of(loaded.module, loaded.example_input(), all_params, rename)
    entries = read_entries(files)
    audit = stream_audit(entries, name=spec, layout=layout, rtol=rtol, method=method, track=track, device=device)
    audit.weights = path
    audit.seed, audit.all_params = seed, all_params
    return audit

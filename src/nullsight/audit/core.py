"""Weight null-space audit: Table 2 of seed 000 for any model.

For every weight acting as a linear map (:mod:`nullsight.operators`) the audit
computes rows, cols, numerical rank (:mod:`nullsight.linalg`), nullity
``cols - rank`` and structural nullity ``max(cols - rows, 0)``.  The model
summary has Table 2's columns:

- ``nu``  (Lemma 1 / Remark 2): weights with ``nullity >= 1``;
- ``mu``  (Theorem 1): weights with ``rows < cols``;
- ``sum_nullity``: the number of null-space basis vectors over all weights;
- ``nullity_first``: the nullity of the first weight the input meets
  (found by tracing a forward pass, :mod:`nullsight.models.tracing`; for a
  recurrent model ``weight_ih_l0``).

Every parameter that is not audited is listed in ``skipped`` with the reason.

Both the numerical figures (what the stored weights really have) and the
structural ones (what the shapes alone force) are reported.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import ClassVar, Iterable, Iterator

import torch
from torch import nn

from ..errors import InvalidInputError
from ..linalg import Method, RankInfo, numerical_rank_batched, require_finite
from ..models.tracing import first_operator
from ..operators import LinearWeight, SkippedParameter, linear_weights, skipped_parameters
from ..progress import Tracker
from ..results import Result, register_result


# Stack same-shape matrices into one batched eigen-decomposition up to this many fp64 bytes.
_BATCH_BYTES = 64 * 2**20


@dataclass(frozen=True)
class LayerAudit(RankInfo):
    """One weight matrix: its numerical rank (every :class:`RankInfo` field) and where it sits in the model.

    Grouped convolutions also carry the nullities of their ``groups`` diagonal blocks; recurrent weights the
    nullity of each gate's row block (``blocks``, e.g. ``{"i": .., "f": .., "g": .., "o": ..}`` for an LSTM).
    ``orientation`` says whether the matrix is the stored tensor or its transpose (``in x out`` storage, embeddings).
    """

    name: str = ""
    module_type: str = ""
    groups: int = 1
    group_nullity_sum: int | None = None
    group_nullity_min: int | None = None
    group_nullity_max: int | None = None
    orientation: str = "stored"
    blocks: dict[str, int] | None = None

    @classmethod
    def from_rank(
        cls, weight: LinearWeight, info: RankInfo, per_group: list[RankInfo] = (), per_block: list[RankInfo] = ()
    ) -> "LayerAudit":
        nullities = [g.nullity for g in per_group]
        spread = (sum(nullities), min(nullities), max(nullities)) if nullities else (None, None, None)
        blocks = {label: b.nullity for label, b in zip(weight.blocks, per_block)} or None
        return cls(**asdict(info), name=weight.name, module_type=weight.module_type, groups=weight.groups,
                   group_nullity_sum=spread[0], group_nullity_min=spread[1], group_nullity_max=spread[2],
                   orientation=weight.orientation, blocks=blocks)


@register_result
@dataclass
class ModelAudit(Result):
    """Table 2's row for one model, with every layer behind it (``kind: "audit"``).

    The run fields (``weights`` ... ``command``) are filled by :func:`nullsight.audit.runner.audit_spec`.
    """

    KIND: ClassVar[str] = "audit"
    PATH_FIELDS: ClassVar[tuple[str, ...]] = ("weights",)

    n_weights: int
    nu: int
    nu_pct: float
    mu: int
    mu_pct: float
    sum_nullity: int
    structural_nu: int
    structural_sum_nullity: int
    nullity_first: int | None
    structural_nullity_first: int | None
    first_weight: str | None
    first_weight_found_by: str
    rtol: float | None
    rank_method: str
    layers: list[LayerAudit] = field(default_factory=list)
    skipped: list[SkippedParameter] = field(default_factory=list)
    weights: str = "none"
    task: str | None = None
    input_size: list[int] | None = None
    all_params: bool = False

    def headline(self) -> str:
        return (f"{self.model}: {self.nu} of {self.n_weights} weights have a null space (Σ nullity {self.sum_nullity:,}); "
                f"the first weight the input meets, {self.first_weight}, has nullity {self.nullity_first}")


def audit_model(
    model: nn.Module,
    name: str = "model",
    example_input: torch.Tensor | None = None,
    rtol: float | None = None,
    method: Method = "auto",
    all_params: bool = False,
    track: Tracker | None = None,
) -> ModelAudit:
    """Audit every linear weight of ``model``; ``example_input`` locates the first weight by a forward pass.

    ``rtol`` overrides the default relative tolerance ``max(m, n) * eps(dtype)``;
    ``method`` is ``auto`` (fp64 Gram, SVD near the cut), ``gram`` or ``svd`` (reference).
    """
    from .applied import applied_matrices

    weights = linear_weights(model, all_params=all_params)
    traced, skipped = applied_matrices(model, skipped_parameters(model, weights), example_input)
    if traced:
        order = {n: i for i, (n, _) in enumerate(model.named_parameters())}
        weights = sorted(weights + traced, key=lambda w: order[w.name])
    if not weights:
        raise InvalidInputError(f"{name} has no weight of two or more dimensions to audit")
    require_finite({w.name: w.matrix for w in weights}, name)
    weights = [at_compute_precision(w) for w in weights]
    ranks = _rank_all(weights, rtol, method, track)
    blocks = _rank_blocks(weights, rtol, method)
    layers = [LayerAudit.from_rank(w, ranks[w.name][0], ranks[w.name][1:], blocks.get(w.name, [])) for w in weights]
    first, found_by = _first_weight(model, weights, example_input)
    return summarise(name, layers, first, found_by, rtol, method, skipped)


def summarise(
    name: str, layers: list[LayerAudit], first: str | None, found_by: str, rtol: float | None, method: str,
    skipped: list[SkippedParameter] | None = None,
) -> ModelAudit:
    """Table 2's columns from per-layer results."""
    n = len(layers)
    nu = sum(layer.nullity >= 1 for layer in layers)
    mu = sum(layer.rows < layer.cols for layer in layers)
    first_layer = next((layer for layer in layers if layer.name == first), None)
    return ModelAudit(
        model=name, n_weights=n, nu=nu, nu_pct=round(100.0 * nu / n, 2), mu=mu, mu_pct=round(100.0 * mu / n, 2),
        sum_nullity=sum(layer.nullity for layer in layers),
        structural_nu=sum(layer.structural_nullity >= 1 for layer in layers),
        structural_sum_nullity=sum(layer.structural_nullity for layer in layers),
        nullity_first=first_layer.nullity if first_layer else None,
        structural_nullity_first=first_layer.structural_nullity if first_layer else None,
        first_weight=first, first_weight_found_by=found_by, rtol=rtol, rank_method=method, layers=layers,
        skipped=list(skipped or []),
    )


def _rank_all(
    weights: list[LinearWeight], rtol: float | None, method: Method, track: Tracker | None
) -> dict[str, list[RankInfo]]:
    """Rank of every whole matrix (index 0) and of every group block (1..g), batched by shape.

    Finiteness was checked (with layer names) by :func:`nullsight.linalg.require_finite` before.
    """
    jobs: dict[tuple, list[tuple[str, torch.Tensor]]] = defaultdict(list)
    for weight in weights:
        jobs[(tuple(weight.matrix.shape), weight.matrix.dtype, weight.matrix.device)].append((weight.name, weight.matrix))
    results: dict[str, list[RankInfo]] = defaultdict(list)
    batches = [batch for group in jobs.values() for batch in _chunks(group)]
    iterator: Iterable = batches if track is None else track(batches, "ranks", len(batches))
    for batch in iterator:
        stack = torch.stack([matrix for _, matrix in batch])
        for (weight_name, _), info in zip(batch, numerical_rank_batched(stack, rtol, method, check_finite=False)):
            results[weight_name].append(info)
    for weight in weights:
        if weight.groups > 1:
            # Each block gets the same tolerance policy, at its own shape.
            results[weight.name].extend(numerical_rank_batched(weight.group_blocks(), rtol, method, check_finite=False))
    return results


def at_compute_precision(weight: LinearWeight) -> LinearWeight:
    """Half-precision (fp16 / bf16) matrices as fp32, the precision their products accumulate in (exact).

    The tolerance ``max(m, n) * eps(fp16)`` would exceed 1 for any layer wider than 2^10 and call every
    matrix of a half-precision checkpoint rank 0.
    """
    if weight.matrix.dtype not in (torch.float16, torch.bfloat16):
        return weight
    return dataclasses.replace(weight, matrix=weight.matrix.float())


def _rank_blocks(weights: list[LinearWeight], rtol: float | None, method: Method) -> dict[str, list[RankInfo]]:
    """Rank of every row block (a recurrent weight's gates), each at its own shape."""
    return {w.name: numerical_rank_batched(w.row_blocks(), rtol, method, check_finite=False) for w in weights if w.blocks}


def _chunks(group: list[tuple[str, torch.Tensor]]) -> Iterator[list[tuple[str, torch.Tensor]]]:
    per_item = group[0][1].numel() * 8
    size = max(1, _BATCH_BYTES // max(per_item, 1))
    for start in range(0, len(group), size):
        yield group[start : start + size]


def _first_weight(
    model: nn.Module, weights: list[LinearWeight], example_input: torch.Tensor | None
) -> tuple[str | None, str]:
    if example_input is None:
        return weights[0].name, "parameter-order"
    by_module: dict[str, str] = {}
    for w in weights:  # a module's first weight in parameter order: an LSTM's weight_ih_l0
        if w.module_type != "Parameter":
            by_module.setdefault(w.module_name, w.name)
    try:
        found = first_operator(model, example_input, list(by_module))
    except Exception as exc:  # a model that cannot run our example: fall back, and say so
        return weights[0].name, f"parameter-order (forward trace failed: {type(exc).__name__})"
    return by_module[found.module_name], "forward-trace"

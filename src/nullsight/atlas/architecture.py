"""One architecture's row of the atlas: built on the meta device, audited from its shapes, its first operator found
and decided (seed 000: Table 2's columns, Definition 4 / Remark 2 for the first operator).

:func:`survey` does everything that needs the model (seconds, no memory: the meta device); the verdict needs only
the first operator's signature (:mod:`nullsight.atlas.verdict`), so the engine decides each signature once and
:func:`complete` fills it into every row that shares it.  :func:`audit_architecture` does both for one name.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from ..audit.applied import applied_matrices
from ..errors import one_line
from ..operators import LinearWeight, linear_weights, skipped_parameters
from .result import GENERIC_NOTE, AtlasAudit, AtlasRow, Evidence, LargestNull
from .stem import Stem, find_stem
from .verdict import Decision, Signature, decide
from .zoo import Built, Entry, build_meta, entry_for

RANDOM_INIT = "random-init"
LARGEST = 5


@dataclass
class Surveyed:
    """A row whose verdict is still to come (``signature``: what decides it; ``None``: undetermined already)."""

    row: AtlasRow
    signature: Signature | None
    weight: torch.Tensor | None = None
    """The first operator's own fp64 weight when a checkpoint was given (its verdict is then not shared)."""


def structural_audit(model: nn.Module, example: torch.Tensor | None, first_module: str | None) -> AtlasAudit:
    """Table 2's structural columns from the weights' shapes alone (works on the meta device).

    The weights are the audit's (:func:`nullsight.operators.linear_weights`, plus custom 2-D parameters a forward
    pass shows applied as a matrix, :mod:`nullsight.audit.applied`), so the figures agree with ``nullsight audit``'s
    structural ones.
    """
    weights = linear_weights(model)
    traced, skipped = applied_matrices(model, skipped_parameters(model, weights), example)
    if traced:
        order = {n: i for i, (n, _) in enumerate(model.named_parameters())}
        weights = sorted(weights + traced, key=lambda w: order[w.name])
    nullity = {w.name: max(w.shape[1] - w.shape[0], 0) for w in weights}
    first = _first_weight(weights, first_module)
    n = len(weights)
    with_null = sum(v >= 1 for v in nullity.values())
    largest = sorted((w for w in weights if nullity[w.name]), key=lambda w: (-nullity[w.name], w.name))[:LARGEST]
    return AtlasAudit(
        matrices=n, with_null_space=with_null, null_share=round(with_null / n, 4) if n else 0.0, nu=with_null,
        mu=sum(w.shape[0] < w.shape[1] for w in weights), sum_structural_nullity=sum(nullity.values()),
        nullity_first_structural=nullity.get(first) if first else None,
        largest=[LargestNull(w.name, list(w.shape), nullity[w.name]) for w in largest], skipped=len(skipped))


def _first_weight(weights: list[LinearWeight], module_name: str | None) -> str | None:
    """The first weight (parameter order) of the module the input meets first: an LSTM's ``weight_ih_l0``."""
    return next((w.name for w in weights if w.module_name == module_name and w.module_type != "Parameter"), None)


def survey(entry: Entry | str, seed: int = 0, weights: str | None = None) -> Surveyed:
    """Build, audit and trace one architecture; the verdict is left to :func:`complete`.

    ``weights``: a checkpoint file for this architecture (then the model is built for real, the audit's ``nu`` is
    numerical and the verdict uses the first operator's own weight), or ``None`` for random init.  Failures are
    raised: the engine turns them into error rows.
    """
    entry = entry_for(entry) if isinstance(entry, str) else entry
    start = time.perf_counter()
    built = build_meta(entry) if weights is None else _build_real(entry, weights, seed)
    module = built.module
    example = torch.zeros((1, *built.input_size), device=next(module.parameters(), torch.empty(0)).device)
    stem = find_stem(module, built.input_size)
    audit = structural_audit(module, example, stem.module_name)
    if weights is not None:
        audit = _numerical_nu(audit, module, example)
    parameters = sum(p.numel() for p in module.parameters())
    reason = "; ".join([*([built.input_note] if built.input_note else []), *stem.notes]) or None
    evidence = Evidence("none", weights is None, reason=stem.reason if stem.signature is None else reason)
    row = AtlasRow(
        architecture=entry.architecture, source=entry.source, family=entry.family, task=entry.task,
        weights=RANDOM_INIT if weights is None else weights, input_size=list(built.input_size),
        parameters=int(parameters), status="ok", error=None, audit=audit, first_operator=stem.info,
        verdict="undetermined", null_dimension=None, evidence=evidence, seconds=round(time.perf_counter() - start, 3))
    weight = _own_weight(module, stem) if weights is not None and stem.signature is not None else None
    return Surveyed(row, stem.signature, weight)


def complete(surveyed: Surveyed, decision: Decision | None, seconds: float = 0.0) -> AtlasRow:
    """The row with its verdict (``decision`` of its signature; ``None`` leaves it undetermined)."""
    row = surveyed.row
    if decision is None:
        return row
    notes = row.evidence.reason
    reason = "; ".join(r for r in (decision.reason, notes) if r) or None
    evidence = Evidence(decision.method, row.evidence.generic_weights, decision.max_abs_diff_fp32,
                        decision.max_abs_diff_fp64, decision.sigma_min, decision.rank, reason, decision.lower_bound)
    return dataclasses.replace(row, verdict=decision.verdict, null_dimension=decision.null_dimension,
                               evidence=evidence, seconds=round(row.seconds + seconds, 3))


def failed(entry: Entry, status: str, error: str, seconds: float, seed: int = 0, weights: str | None = None) -> AtlasRow:
    """The row of an architecture that could not be surveyed (``status``: ``error`` or ``timeout``)."""
    return AtlasRow(entry.architecture, entry.source, entry.family, entry.task,
                    RANDOM_INIT if weights is None else weights, [], None, status, error, None, None, "undetermined",
                    None, Evidence("none", weights is None, reason=error), round(seconds, 3))


def audit_architecture(architecture: Entry | str, seed: int = 0, weights: str | None = None) -> AtlasRow:
    """One architecture's complete row (survey, then its first operator's verdict), errors raised.

    >>> row = audit_architecture("timm:vit_tiny_patch16_224")
    >>> row.first_operator.kind, row.verdict, row.null_dimension, row.evidence.generic_weights
    ('patchify', 'exact', 112896, True)
    """
    surveyed = survey(architecture, seed, weights)
    if surveyed.signature is None:
        return surveyed.row
    start = time.perf_counter()
    decision = decide(surveyed.signature, seed, surveyed.weight)
    return complete(surveyed, decision, time.perf_counter() - start)


def weights_note(seed: int, weights: str | None) -> str:
    return GENERIC_NOTE.format(seed=seed) if weights is None else f"weights from {weights} where a file is given"


def weights_for(directory: str | None, architecture: str) -> str | None:
    """``DIR/<source>-<name>.safetensors`` (or ``.pth``/``.pt``) when ``directory`` has one for ``architecture``."""
    if directory is None:
        return None
    stem = architecture.replace(":", "-").replace("/", "-")
    for suffix in (".safetensors", ".pth", ".pt"):
        path = Path(directory) / f"{stem}{suffix}"
        if path.is_file():
            return str(path)
    return None


def _build_real(entry: Entry, weights: str, seed: int) -> Built:
    from ..models import load_model

    loaded = load_model(entry.architecture, weights=weights, seed=seed)
    meta = build_meta(entry)
    return Built(entry, loaded.module.eval(), meta.input_size, meta.input_note)


def _numerical_nu(audit: AtlasAudit, module: nn.Module, example: torch.Tensor) -> AtlasAudit:
    from ..audit.core import audit_model

    numerical = audit_model(module, example_input=example)
    return dataclasses.replace(audit, nu=numerical.nu)


def _own_weight(module: nn.Module, stem: Stem) -> torch.Tensor | None:
    layer = dict(module.named_modules()).get(stem.module_name or "")
    weight = getattr(layer, "weight", None)
    return None if weight is None else weight.detach().to("cpu", torch.float64)


def error_text(exc: BaseException) -> str:
    """An exception as the one line an error row records."""
    return f"{type(exc).__name__}: {one_line(exc, 300)}"

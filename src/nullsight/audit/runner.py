"""From a model name to a verified audit result: load (:mod:`nullsight.models`), audit, compare with Table 2."""

from __future__ import annotations

import dataclasses
from typing import Iterable

import torch

from ..linalg import Method
from ..models import load_model
from ..progress import Tracker
from .core import ModelAudit, audit_model
from .table2 import TABLE2, Table2Result, compare


def audit_spec(
    spec: str,
    *, weights: str = "none",
    arch: str | None = None,
    seed: int = 0,
    device: str | torch.device = "cpu",
    rtol: float | None = None,
    method: Method = "auto",
    all_params: bool = False,
    input_size: tuple[int, ...] | None = None,
    track: Tracker | None = None,
) -> ModelAudit:
    """Load ``spec`` and audit it; the :class:`ModelAudit` carries the run's settings too."""
    loaded = load_model(spec, weights=weights, arch=arch, seed=seed, device=device, input_size=input_size)
    audit = audit_model(loaded.module, name=loaded.spec, example_input=loaded.example_input(), rtol=rtol, method=method,
                        all_params=all_params, track=track)
    return dataclasses.replace(audit, weights=loaded.weights, seed=seed, task=loaded.task,
                               input_size=list(loaded.input_size), all_params=all_params)


def run_table2(
    *, weights: str = "none",
    seed: int = 0,
    device: str | torch.device = "cpu",
    rtol: float | None = None,
    method: Method = "auto",
    models: Iterable[str] | None = None,
    track: Tracker | None = None,
) -> Table2Result:
    """Audit every Table 2 model torchvision/timm provide and set it beside the paper's figures."""
    wanted = set(models) if models else None
    table = [row for row in TABLE2 if wanted is None or row.model in wanted or row.spec in wanted]
    rows = []
    for row in (table if track is None else track(table, "Table 2", len(table))):
        audit = None if row.spec is None else audit_spec(row.spec, weights=weights, seed=seed, device=device,
                                                          rtol=rtol, method=method)
        rows.append(compare(audit, row))
    return Table2Result(weights=weights, seed=seed, rtol=rtol, rank_method=method, rows=rows)

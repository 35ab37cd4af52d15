"""From a model name to a verified audit result: load (:mod:`nullsight.models`), audit, compare with Table 2."""

from __future__ import annotations

from typing import Iterable

import torch

from ..linalg import Method
from ..models import load_model
from ..versions import versions
from ..progress import Tracker
from .core import audit_model
from .table2 import TABLE2, compare


def audit_spec(
    spec: str,
    weights: str = "none",
    arch: str | None = None,
    seed: int = 0,
    device: str | torch.device = "cpu",
    rtol: float | None = None,
    method: Method = "auto",
    all_params: bool = False,
    input_size: tuple[int, ...] | None = None,
    track: Tracker | None = None,
) -> dict:
    """Load ``spec`` and audit it; returns the JSON-ready result (``kind: "audit"``)."""
    loaded = load_model(spec, weights=weights, arch=arch, seed=seed, device=device, input_size=input_size)
    result = audit_model(
        loaded.module, name=loaded.spec, example_input=loaded.example_input(), rtol=rtol, method=method,
        all_params=all_params, track=track,
    ).to_dict()
    result.update(weights=loaded.weights, seed=seed, task=loaded.task, input_size=list(loaded.input_size),
                  all_params=all_params, versions=versions())
    return result


def run_table2(
    weights: str = "none",
    seed: int = 0,
    device: str | torch.device = "cpu",
    rtol: float | None = None,
    method: Method = "auto",
    models: Iterable[str] | None = None,
    track: Tracker | None = None,
) -> dict:
    """Audit every Table 2 model torchvision/timm provide and set it beside the paper's figures."""
    wanted = set(models) if models else None
    rows = []
    table = [row for row in TABLE2 if wanted is None or row.model in wanted or row.spec in wanted]
    for row in (table if track is None else track(table, "Table 2", len(table))):
        if row.spec is None:
            rows.append({"task": row.task, "model": row.model, "spec": None, "ours": None,
                         "paper": {k: v for k, v in row.to_dict().items() if k not in ("task", "model", "spec", "note")},
                         "explanation": [row.note]})
            continue
        audit = audit_spec(row.spec, weights=weights, seed=seed, device=device, rtol=rtol, method=method)
        rows.append(compare(audit, row) | {"layers": audit["layers"]})
    return {"kind": "table2", "weights": weights, "seed": seed, "rtol": rtol, "rank_method": method,
            "rows": rows, "versions": versions()}

"""Custom modules' 2-D parameters that a forward pass shows acting as a matrix product (seed 000, Table 2's "any weight").

nullsight knows how Linear, convolutions, attention, recurrent layers,
embeddings and transposed ``Conv1D`` apply their weights
(:mod:`nullsight.operators`).  A module it has no rule for may still hold a
2-D parameter ``W`` that it applies as ``x W^T`` or ``x W``: when the module's
input's last axis has ``W``'s column count and its output's last axis its row
count (or the reverse), and ``W`` is the module's only matrix, ``W`` is
audited in that orientation.  Anything else stays skipped, with the reason.
"""

from __future__ import annotations

import torch
from torch import nn

from ..operators import LinearWeight, SkippedParameter


def applied_matrices(
    model: nn.Module, skipped: list[SkippedParameter], example: torch.Tensor | None
) -> tuple[list[LinearWeight], list[SkippedParameter]]:
    """Split ``skipped`` into the 2-D parameters a forward pass of ``example`` shows applied as a matrix, and the rest."""
    modules = dict(model.named_modules())
    params = dict(model.named_parameters())
    candidates = {s.name: s.name.rsplit(".", 1)[0] if "." in s.name else "" for s in skipped
                  if len(s.shape) == 2 and s.name in params and not s.reason.startswith("tied")}
    own_matrices = {m: [n for n, p in modules[m].named_parameters(recurse=False) if p.ndim == 2] for m in set(candidates.values())}
    candidates = {n: m for n, m in candidates.items() if len(own_matrices[m]) == 1}
    if example is None or not candidates:
        return [], skipped
    seen = _last_axes(model, example, set(candidates.values()))
    found: dict[str, LinearWeight] = {}
    for name, module_name in candidates.items():
        if module_name not in seen:
            continue
        rows, cols = params[name].shape
        n_in, n_out = seen[module_name]
        kind = type(modules[module_name]).__name__
        if (n_in, n_out) == (cols, rows):
            found[name] = LinearWeight(name, module_name, kind, params[name].detach(), orientation="stored (traced)")
        elif (n_in, n_out) == (rows, cols):
            found[name] = LinearWeight(name, module_name, kind, params[name].detach().T, orientation="transposed (traced)")
    return list(found.values()), [s for s in skipped if s.name not in found]


def _last_axes(model: nn.Module, example: torch.Tensor, names: set[str]) -> dict[str, tuple[int, int]]:
    """``module name -> (input's last axis, output's last axis)`` at each module's first call."""
    seen: dict[str, tuple[int, int]] = {}
    handles = []
    for name, module in model.named_modules():
        if name in names:
            def hook(_m, inputs, output, name=name):
                if name not in seen and inputs and isinstance(inputs[0], torch.Tensor) and isinstance(output, torch.Tensor) \
                        and inputs[0].ndim and output.ndim:
                    seen[name] = (inputs[0].shape[-1], output.shape[-1])
            handles.append(module.register_forward_hook(hook))
    try:
        with torch.no_grad():
            model(example)
    except Exception:  # a model that cannot run the example: nothing is traced, the parameters stay skipped
        pass
    finally:
        for handle in handles:
            handle.remove()
    return seen

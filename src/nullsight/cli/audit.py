"""``nullsight audit``: the weight null-space audit of seed 000 (Table 2)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from ..artifacts import save_artifacts
from ..errors import InvalidInputError
from ..io import check_writable, to_json, write_json, write_text
from .app import app
from .common import (ArchOption, DeviceOption, OutOption, QuietOption, SeedOption, WeightsOption, emit, emit_json,
                     grouped, model_argument, parse_size, positive, stamped, stdout, tracker)


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


class RankMethod(str, Enum):
    auto = "auto"
    certify = "certify"
    gram = "gram"
    svd = "svd"


@dataclass
class RankChoice:
    """How ranks are decided: the tolerance, the method and which parameters."""

    rtol: Optional[float] = typer.Option(None, "--rtol", callback=positive, help="Relative rank tolerance; default max(m,n)*eps(dtype).")
    method: RankMethod = typer.Option(RankMethod.auto, "--method", help="auto (fp32/fp64 Gram, SVD near the cut) | certify (ranks only, Cholesky proofs) | gram | svd.")
    all_params: bool = typer.Option(False, "--all-params", help="Also audit embeddings/tokens (any >=2-D parameter).")


@app.command("audit")
@grouped
def audit(
    models: List[str] = model_argument(None),
    weights: str = WeightsOption,
    arch: Optional[str] = ArchOption,
    rank: RankChoice = None,
    input_size: Optional[str] = typer.Option(None, "--input-size", help="Input size C,H,W for the forward trace."),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table | json | csv | markdown."),
    layers: bool = typer.Option(True, "--layers/--no-layers", help="Per-layer tables in the terminal output."),
    stream: bool = typer.Option(False, "--stream", help="Audit a .safetensors file, a sharded *.safetensors.index.json or hf:DIR tensor by tensor from the file, memory-mapped, without building the model (automatic for an index)."),
    table2: bool = typer.Option(False, "--table2", help="Reproduce Table 2 of seed 000 for every model torchvision/timm provide."),
    results_dir: Path = typer.Option(Path("results/audit"), "--results-dir", help="Where --table2 writes its files."),
    out: Optional[Path] = OutOption,
    seed: int = SeedOption,
    device: str = DeviceOption,
    quiet: bool = QuietOption,
) -> None:
    """Rank, nullity and null-space size of every weight matrix of a model."""
    from ..audit.output import rich_tables, to_csv, to_markdown
    from ..audit.runner import audit_spec, run_table2
    from ..audit.table2 import markdown as table2_markdown
    from ..device import resolve_device

    if table2:
        check_writable(results_dir, directory=True)
    dev = resolve_device(device)
    track = tracker(quiet)
    if table2:
        result = run_table2(weights=weights, seed=seed, device=dev, rtol=rank.rtol, method=rank.method.value,
                            models=models or None, track=track)
        stamped(result)
        table = table2_markdown(result.rows)
        save_artifacts(result, results_dir / "table2.json")  # each row's per-layer table beside it
        write_json(results_dir / "table2.json", result.to_dict())
        write_text(results_dir / "table2.md", table)
        if fmt is Format.json:
            save_artifacts(result, out)  # beside --out too (or left out on stdout)
        emit(to_json(result.to_dict()) if fmt is Format.json else table, out)
        return
    if not models:
        raise InvalidInputError("name at least one model (e.g. torchvision:resnet50), or pass --table2")
    size = parse_size(input_size)
    audits = []
    for spec in models:
        if stream or spec.endswith(".safetensors.index.json"):
            from ..audit.streaming import stream_spec

            result = stream_spec(spec, arch=arch, rtol=rank.rtol, method=rank.method.value, all_params=rank.all_params,
                                 seed=seed, track=track, device=dev)
        else:
            result = audit_spec(spec, weights=weights, arch=arch, seed=seed, device=dev, rtol=rank.rtol,
                                method=rank.method.value, all_params=rank.all_params, input_size=size, track=track)
        stamped(result)
        audits.append(result)
    payload = [a.to_dict() for a in audits]
    if fmt is Format.json:
        emit_json(payload[0] if len(payload) == 1 else payload, out)
    elif fmt is Format.csv:
        emit(to_csv(audits), out)
    elif fmt is Format.markdown:
        emit(to_markdown(audits), out)
    elif out is not None:
        emit_json(payload[0] if len(payload) == 1 else payload, out)
    else:
        for table in rich_tables(audits, layers=layers):
            stdout.print(table)

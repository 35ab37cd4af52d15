"""``nullsight atlas run | export | show``: the null-space atlas of the model zoo, on Ray."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from ..cli.app import app
from ..cli.common import QuietOption, SeedOption, at_least_one, emit_json, number, output_dir, tracker
from ..errors import InvalidInputError

atlas_app = typer.Typer(help="The null-space atlas: every timm and torchvision architecture audited, with its first "
                             "operator's collision verdict (seed 000), on Ray.", no_args_is_help=True)
app.add_typer(atlas_app, name="atlas")

StoreOption = typer.Option(Path("results/atlas/.atlas.sqlite"), "--store",
                           help="The SQLite store a rerun resumes from (one row per architecture, weights, input "
                                "size and nullsight version).")
AtlasWeightsOption = typer.Option("none", "--weights",
                                  help="none (random init: verdicts for generic weights) | DIR: checkpoints named "
                                       "<source>-<name>.safetensors (e.g. timm-resnet50.safetensors); architectures "
                                       "without one stay random-init.")


def _weights_dir(weights: str) -> Optional[str]:
    if weights == "none":
        return None
    if weights == "default":
        raise InvalidInputError("--weights default would download every pretrained model; nullsight does not "
                                "download: give a folder of checkpoints (DIR/<source>-<name>.safetensors)")
    if not Path(weights).is_dir():
        raise InvalidInputError(f"--weights {weights}: not a folder (none, or a folder of <source>-<name>.safetensors)")
    return weights


@atlas_app.command("run")
def run_cmd(
    models: Optional[List[str]] = typer.Option(None, "--models", "-m",
                                               help="Architectures: names, globs (timm:resnet*) or re:REGEX; comma-"
                                                    "separated or repeated (default: the whole zoo)."),
    limit: Optional[int] = typer.Option(None, "--limit", callback=at_least_one, help="Only the first N selected."),
    sources: str = typer.Option("timm,torchvision", "--sources", help="Zoo sources: timm, torchvision."),
    hf: Optional[List[str]] = typer.Option(None, "--hf", help="A transformers model folder to add (repeatable)."),
    address: Optional[str] = typer.Option(None, "--address", help="A Ray cluster (HEAD:6379); default: Ray started "
                                                                  "here with this machine's cores."),
    engine: str = typer.Option("ray", "--engine", help="ray | sequential (one process, for comparison)."),
    num_cpus: Optional[int] = typer.Option(None, "--num-cpus", callback=at_least_one,
                                           help="CPUs of the local Ray (default: all)."),
    timeout: float = typer.Option(300.0, "--timeout", callback=number(0, above=True), help="Seconds per task."),
    memory_gb: float = typer.Option(2.0, "--memory-gb", callback=number(0, above=True),
                                    help="Memory each Ray task requests (GiB)."),
    refresh: bool = typer.Option(False, "--refresh", help="Recompute rows already in the store."),
    seed: int = SeedOption,
    weights: str = AtlasWeightsOption,
    store: Path = StoreOption,
    quiet: bool = QuietOption,
) -> None:
    """Survey and decide every selected architecture not yet in the store (resumable: Ctrl-C, then run again)."""
    from .engine import EngineSettings, run_atlas
    from .store import AtlasStore
    from .zoo import select, zoo

    settings = EngineSettings(engine, address, num_cpus, timeout, memory_gb)
    chosen = select(zoo(tuple(s.strip() for s in sources.split(",") if s.strip()), tuple(hf or ())),
                    [p.strip() for m in models or [] for p in m.split(",") if p.strip()] or None)
    chosen = chosen[:limit] if limit else chosen
    with AtlasStore(store) as db:
        result = run_atlas(chosen, db, seed, _weights_dir(weights), settings, refresh, tracker(quiet))
    counts = result.counts
    typer.echo(f"{len(result.rows)} architectures in {store}: verdicts {counts.verdict}, status {counts.status}", err=True)


@atlas_app.command("export")
def export_cmd(
    out_dir: Path = typer.Option(Path("results/atlas"), "--out-dir", callback=output_dir,
                                 help="Folder for atlas.json (lean), atlas.parquet (every field) and atlas.html."),
    models: Optional[List[str]] = typer.Option(None, "--models", "-m", help="Only these architectures (as in run)."),
    page: bool = typer.Option(True, "--page/--no-page", help="Also write the HTML page."),
    full: bool = typer.Option(False, "--full/--lean", help="atlas.json with every field of every row (default: lean)."),
    seed: int = SeedOption,
    weights: str = AtlasWeightsOption,
    store: Path = StoreOption,
) -> None:
    """Write the stored atlas: atlas.json, atlas.parquet and the page atlas.html."""
    from ..cli.common import stamped
    from .engine import atlas_result
    from .export import write_atlas
    from .store import AtlasStore
    from .zoo import Entry, select

    if not store.is_file():
        raise InvalidInputError(f"no atlas store at {store}: run `nullsight atlas run` first")
    with AtlasStore(store) as db:
        result = atlas_result(db, None, seed, _weights_dir(weights))
    if models:
        entries = [Entry(r.architecture, r.source, r.architecture.partition(":")[2], r.family, r.task) for r in result.rows]
        wanted = {e.architecture for e in select(entries, [p.strip() for m in models for p in m.split(",") if p.strip()])}
        result.rows = [r for r in result.rows if r.architecture in wanted]
    if not result.rows:
        raise InvalidInputError(f"the store {store} holds no row for seed {seed} and weights {weights}")
    for path in write_atlas(stamped(result), out_dir, page=page, full=full):
        typer.echo(f"wrote {path}", err=True)


@atlas_app.command("show")
def show_cmd(
    architecture: str = typer.Argument(..., help="timm:NAME, torchvision:NAME or hf:DIR."),
    seed: int = SeedOption,
    store: Path = StoreOption,
) -> None:
    """One architecture's row as JSON: from the store when it is there, else computed now."""
    from ..results import to_jsonable
    from .architecture import audit_architecture
    from .engine import weights_key
    from .store import AtlasStore

    row = None
    if store.is_file():
        with AtlasStore(store) as db:
            row = next((r for r in db.rows(weights_key(seed, None)) if r.architecture == architecture), None)
    emit_json(to_jsonable(row if row is not None else audit_architecture(architecture, seed)), None)

"""``nullsight reproduce SEED``: one command per seed, from its recipe to its claims table."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from ..cli.app import app
from ..cli.common import OutOption, QuietOption, SeedOption, emit_result, note, output_dir


@app.command("reproduce")
def reproduce(
    seeds: Optional[List[str]] = typer.Argument(None, help="Seeds to reproduce (000 ... 004, or all; default all)."),
    list_: bool = typer.Option(False, "--list", help="Name every seed's stages and claims, run nothing."),
    quick: bool = typer.Option(False, "--quick", help="Every stage on a small subset (minutes): a smoke test."),
    train: bool = typer.Option(False, "--train", help="Retrain the checkpoints (default: use the committed ones)."),
    stage: Optional[List[str]] = typer.Option(None, "--stage", help="Run only this stage (repeatable)."),
    out_dir: Optional[Path] = typer.Option(None, "--out-dir", callback=output_dir,
                                           help="Results root; each seed writes SEED/ below it "
                                                "(default results/, or results/quick/ with --quick)."),
    checkpoints: Optional[Path] = typer.Option(None, "--checkpoints",
                                               help="Where trained models are kept (default checkpoints/; with "
                                                    "--quick, checkpoints/ below the results root)."),
    seed: int = SeedOption,
    out: Optional[Path] = OutOption,
    quiet: bool = QuietOption,
) -> None:
    """Run each seed's recipe (cached by the hash of its inputs, resumable) and write its claims table."""
    from ..errors import InvalidInputError
    from .registry import select

    chosen = select(list(seeds or []))
    if list_:
        for recipe in chosen:
            typer.echo(f"{recipe.seed}  {recipe.title}")
            for s in recipe.stages:
                typer.echo(f"  stage  {s.name}{'  (trains)' if s.trains else ''}")
            for c in recipe.claims:
                typer.echo(f"  claim  {c.id}  {c.statement}")
        return
    if out is not None and len(chosen) != 1:
        raise InvalidInputError("--out names one claims file: give one seed (each seed writes SEED/claims.json)")
    from .runner import run_recipe
    from .store import StageStore

    root = out_dir or Path("results/quick" if quick else "results")
    store = StageStore(root / ".reproduce.sqlite")
    try:
        for recipe in chosen:
            folder = (root / recipe.seed).as_posix()
            Path(folder).mkdir(parents=True, exist_ok=True)
            models = checkpoints or (root / "checkpoints" if quick else Path("checkpoints"))
            result = run_recipe(recipe, store=store, out=folder, checkpoints=models.as_posix(), seed=seed,
                                quick=quick, train=train, stages=list(stage or []), progress=None if quiet else note)
            emit_result(result, out or Path(folder) / "claims.json")
            if not quiet:
                note(result.headline())
    finally:
        store.close()

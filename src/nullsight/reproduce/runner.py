"""Run a recipe's stages (cached, resumable) and check its claims; returns the typed claims table.

Each stage runs as its own ``nullsight`` process, the same command a user would type, so a stage's files are
written by that command's own atomic outputs and Ctrl-C leaves a stage either finished or not recorded.
"""

from __future__ import annotations

import hashlib
import json
import shlex
import subprocess
import sys
import time
from functools import lru_cache
from pathlib import Path
from typing import Callable

from ..errors import InvalidInputError
from ..results import result_from_dict
from .recipe import Claim, Recipe, Stage, fill
from .result import ClaimRow, ClaimsResult, OutputFile, StageRecord
from .stats import Measurement
from .store import StageStore, file_sha256
from .verdicts import NOT_TESTABLE

Progress = Callable[[str], None]


PRESENTATION = ("recipe.py", "report.py", "docs.md")
"""Files that cannot change what a stage computes (claims are re-read on every run): left out of the code hash."""


@lru_cache(maxsize=1)
def code_version() -> str:
    """A hash of nullsight's own source (less recipes and report sections): a stage made by other code is made
    again."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        if path.name in PRESENTATION or "report" in path.relative_to(root).parts[:1]:
            continue
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def stage_key(argv: list[str], reads: list[str]) -> str:
    """The cache key of a stage: its command line, the code, and the bytes of every file it reads."""
    inputs = {path: (file_sha256(path) if Path(path).is_file() else None) for path in reads}
    text = json.dumps({"argv": argv, "code": code_version(), "reads": inputs}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def run_recipe(recipe: Recipe, *, store: StageStore, out: str, checkpoints: str = "checkpoints", seed: int = 0,
               quick: bool = False, train: bool = False, stages: list[str] | None = None,
               progress: Progress | None = None) -> ClaimsResult:
    """Run (or reuse) every stage of ``recipe`` and check its claims against what they wrote."""
    mode = "quick" if quick else "full"
    selected = [recipe.stage(name) for name in stages] if stages else list(recipe.stages)
    records = []
    for stage in selected:
        records.append(_run_stage(recipe, stage, store=store, mode=mode, out=out, checkpoints=checkpoints, seed=seed,
                                  quick=quick, train=train, progress=progress))
    rows = [check_claim(claim, out=out, checkpoints=checkpoints, seed=seed) for claim in recipe.claims]
    rows += [ClaimRow(id=i, statement=s, paper="", ours="", verdict=NOT_TESTABLE, why=why, protocol="")
             for i, s, why in recipe.untestable]
    return ClaimsResult(recipe=recipe.seed, title=recipe.title, quick=quick, rows=rows, stages=records, seed=seed)


def _run_stage(recipe: Recipe, stage: Stage, *, store: StageStore, mode: str, out: str, checkpoints: str, seed: int,
               quick: bool, train: bool, progress: Progress | None) -> StageRecord:
    fill = dict(out=out, checkpoints=checkpoints, seed=seed)
    argv = stage.argv(quick=quick, **fill)
    outputs = [stage_path(o, **fill) for o in stage.outputs]
    reads = [stage_path(r, **fill) for r in stage.reads]
    key = stage_key(argv, reads)
    shown = "nullsight " + shlex.join(argv)
    if stage.trains and not train and not quick and all(Path(o).is_file() for o in outputs):
        return StageRecord(stage.name, "skipped", key, 0.0, shown, _hashed(outputs))
    cached = store.done(recipe.seed, stage.name, mode, key)
    if cached is not None:
        return StageRecord(stage.name, "cached", key, 0.0, shown, [OutputFile(p, h) for p, h in cached])
    missing = [r for r in reads if not Path(r).is_file()]
    if missing:
        raise InvalidInputError(f"stage {stage.name} of seed {recipe.seed} needs {', '.join(missing)}, which no earlier "
                                "stage made (run the whole recipe, or --train for checkpoints)")
    if progress is not None:
        progress(f"seed {recipe.seed} · {stage.name}")
    began = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "nullsight", *argv], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True)
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        last = " ".join(lines[-1].split()) if lines else f"exit {done.returncode}"
        raise InvalidInputError(f"stage {stage.name} of seed {recipe.seed} failed: {last} (command: {shown})")
    absent = [o for o in outputs if not Path(o).is_file()]
    if absent:
        raise InvalidInputError(f"stage {stage.name} of seed {recipe.seed} did not write {', '.join(absent)}")
    hashed = _hashed(outputs)
    store.record(recipe.seed, stage.name, mode, key, [(o.path, o.sha256) for o in hashed])
    return StageRecord(stage.name, "ran", key, round(time.perf_counter() - began, 1), shown, hashed)


def stage_path(template: str, *, out: str, checkpoints: str, seed: int) -> str:
    return fill(template, out=out, checkpoints=checkpoints, seed=seed)


def _hashed(paths: list[str]) -> list[OutputFile]:
    return [OutputFile(p, file_sha256(p)) for p in paths]


def check_claim(claim: Claim, *, out: str, checkpoints: str, seed: int) -> ClaimRow:
    """One claim's row: not testable where a result it needs is missing, else measured and judged by its rule."""
    needed = [stage_path(n, out=out, checkpoints=checkpoints, seed=seed) for n in claim.needs]
    missing = [n for n in needed if not Path(n).is_file()]
    base = dict(id=claim.id, statement=claim.statement, paper=claim.paper, protocol=claim.protocol)
    if missing:
        return ClaimRow(**base, ours="", verdict=NOT_TESTABLE, why=f"missing {', '.join(missing)} (stage not run)")

    def load(name: str) -> object:
        path = Path(stage_path(name, out=out, checkpoints=checkpoints, seed=seed))
        return result_from_dict(json.loads(path.read_text()))

    m: Measurement = claim.measure(load)
    verdict = claim.rule(m)
    return ClaimRow(**base, ours=m.shown(), verdict=verdict.verdict, why=verdict.why, value=m.value, low=m.low,
                    high=m.high, p=m.p, n=m.n, test=m.test, note=m.note)

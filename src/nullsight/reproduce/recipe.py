"""A seed's reproduction recipe, declared: the checkpoints it trains, the runs it makes, the claims it checks.

A :class:`Stage` is one ``nullsight`` command line (the same one a user would type), written once for the full
protocol and once for ``--quick`` (every stage on a small subset, minutes in all).  Placeholders in a command:
``{out}`` (the seed's results folder), ``{checkpoints}`` (the trained models), ``{seed}`` (the ``--seed`` given).

A :class:`Claim` names the paper's statement and figure, reads our figure off typed results (a
:class:`~nullsight.reproduce.stats.Measurement`: a value with its 95% interval or a test's p-value), and a
:class:`~nullsight.reproduce.verdicts.Rule` turns the two into a verdict word.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from ..errors import InvalidInputError
from .stats import Measurement
from .verdicts import Rule

Loader = Callable[[str], object]
"""Loads the typed result a stage wrote, by its file name relative to the seed's results folder."""


@dataclass(frozen=True)
class Stage:
    """One command of a recipe.

    Args:
        name: a short name, unique in the recipe (``"train-fashion"``).
        command: the full-protocol command line, without the leading ``nullsight``.
        quick: the ``--quick`` command line (same command, small numbers).
        outputs: the files it writes, with placeholders (what makes it done).
        reads: the files it needs (checkpoints, earlier outputs): their hashes join the stage's cache key.
        trains: a training stage: run only with ``--train`` or when its outputs are missing.
    """

    name: str
    command: tuple[str, ...]
    quick: tuple[str, ...]
    outputs: tuple[str, ...]
    reads: tuple[str, ...] = ()
    trains: bool = False

    def argv(self, *, quick: bool, out: str, checkpoints: str, seed: int) -> list[str]:
        """The command line with its placeholders filled."""
        return [fill(part, out=out, checkpoints=checkpoints, seed=seed) for part in (self.quick if quick else self.command)]


@dataclass(frozen=True)
class Claim:
    """One statement of a paper, checked.

    Args:
        id: a stable id (``"002-B1"``).
        statement: the paper's claim in a sentence.
        paper: the paper's figure as the paper gives it (``"100%"``, ``"AUC 0.99"``).
        measure: our figure, read off the typed results of the stages.
        rule: how the two become a verdict (and what "reproduced" means for this claim).
        protocol: how our protocol differs from the paper's (data, model, sample size).
        needs: the outputs it reads; where one is missing the verdict is "not testable here".
    """

    id: str
    statement: str
    paper: str
    measure: Callable[[Loader], Measurement]
    rule: Rule
    protocol: str
    needs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Recipe:
    """A seed's recipe: its stages in order and its claims."""

    seed: str
    title: str
    stages: tuple[Stage, ...]
    claims: tuple[Claim, ...]
    untestable: tuple[tuple[str, str, str], ...] = field(default=())
    """Claims that cannot be tested here: ``(id, statement, why)``."""

    def __post_init__(self) -> None:
        names = [s.name for s in self.stages]
        if len(set(names)) != len(names):
            raise InvalidInputError(f"recipe {self.seed}: stage names repeat ({', '.join(names)})")

    def stage(self, name: str) -> Stage:
        for stage in self.stages:
            if stage.name == name:
                return stage
        raise InvalidInputError(f"recipe {self.seed} has no stage {name!r} (stages: {', '.join(s.name for s in self.stages)})")


def fill(text: str, *, out: str, checkpoints: str, seed: int) -> str:
    """``text`` with ``{out}``, ``{checkpoints}`` and ``{seed}`` replaced (no other braces are touched).

    >>> fill("{out}/a.json", out="results/002", checkpoints="checkpoints", seed=0)
    'results/002/a.json'
    """
    return text.replace("{out}", out).replace("{checkpoints}", checkpoints).replace("{seed}", str(seed))

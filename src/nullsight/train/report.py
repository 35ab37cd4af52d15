"""Report section for training runs: accuracy (and seed 001's rescaled copies where trained with them)."""

from __future__ import annotations

from ..report import Section, Table, section_for
from .result import TrainRun


@section_for(TrainRun)
def train_sections(results: list[TrainRun]) -> list[Section]:
    columns = ["arch", "data", "epochs", "train acc.", "train acc. (rescaled)", "test acc.", "test acc. (rescaled)",
               "paper train acc.", "paper train acc. (rescaled)"]
    rows = []
    for r in results:
        m, paper = r.metrics, r.paper or {}
        acc = lambda key: m[key].accuracy if key in m else None  # noqa: E731
        rows.append([r.arch, r.data, r.config.epochs, acc("train_original"), acc("train_rescaled"), acc("test_original"),
                     acc("test_rescaled"), paper.get("train_accuracy_original"), paper.get("train_accuracy_rescaled")])
    return [Section("Training runs", TrainRun.KIND, "Accuracy on the original images and, for runs trained with "
                    "rescaled copies (seed 001), on copies rescaled by that factor (0.2).",
                    tables=[Table("Accuracy", columns, rows)])]

"""Table 2 of seed 000, as published, and the models nullsight audits for each row.

The paper audited ImageNet-pretrained weights; where those cannot be had the
audit runs on the random-initialised architecture, whose ranks are the
structural ones except where an initialiser leaves a matrix rank-deficient (a
zero-initialised head) or a square matrix has singular values below the fp32
tolerance (as random square matrices of size ~10^3 do).  Every row says which
variant was chosen and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..artifacts import Artifact
from ..results import Result, register_result
from .core import LayerAudit, ModelAudit


@dataclass(frozen=True)
class PaperRow:
    """One row of Table 2 as printed (percentages are truncated in the paper)."""

    task: str
    model: str
    nu: int
    nu_pct: int
    mu: int
    mu_pct: int
    sum_nullity: int
    nullity_first: int
    spec: str | None
    note: str = ""


@dataclass
class Table2Figures:
    """Our figures for one row: numerical, and structural (what the shapes alone force)."""

    n_weights: int
    nu: int
    nu_pct: float
    mu: int
    mu_pct: float
    sum_nullity: int
    nullity_first: int | None
    structural_nu: int
    structural_sum_nullity: int
    structural_nullity_first: int | None


@dataclass
class Table2Row:
    """Paper vs ours for one row of Table 2, with the computed explanation of every difference."""

    task: str
    model: str
    spec: str | None
    paper: PaperRow
    ours: Table2Figures | None
    weights: str
    explanation: list[str]
    layers: Artifact | None = None  # every weight's LayerAudit, a CSV beside the JSON (records(LayerAudit))


@register_result
@dataclass
class Table2Result(Result):
    """Table 2 of seed 000 reproduced (``kind: "table2"``)."""

    KIND: ClassVar[str] = "table2"
    PATH_FIELDS: ClassVar[tuple[str, ...]] = ("weights",)
    weights: str
    rtol: float | None
    rank_method: str
    rows: list[Table2Row]


TABLE2: tuple[PaperRow, ...] = (
    PaperRow("classification", "AlexNet", 8, 100, 7, 87, 16547, 299, "torchvision:alexnet"),
    PaperRow("classification", "SqueezeNet", 16, 61, 16, 61, 3392, 0, "torchvision:squeezenet1_1",
             "nullity(W1) = 0 and n = 26 identify SqueezeNet 1.1 (1.0's first conv is 96 x 147, nullity 51)"),
    PaperRow("classification", "VGG-16", 15, 93, 14, 87, 53357, 0, "torchvision:vgg16"),
    PaperRow("classification", "ResNet-50", 36, 66, 33, 61, 40701, 84, "torchvision:resnet50"),
    PaperRow("classification", "DenseNet-121", 121, 100, 117, 96, 90388, 85, "torchvision:densenet121"),
    PaperRow("classification", "Inception-V3", 95, 96, 95, 96, 80938, 0, "torchvision:inception_v3",
             "n = 98 includes the auxiliary classifier"),
    PaperRow("classification", "ViT-Base", 18, 36, 12, 24, 27665, 13, "torchvision:vit_b_16"),
    PaperRow("classification", "ViT-Large", 46, 47, 25, 25, 73780, 0, "torchvision:vit_l_16"),
    PaperRow("classification", "DeiT-Tiny", 15, 30, 13, 26, 7490, 576, "timm:deit_tiny_patch16_224"),
    PaperRow("classification", "DeiT-Base", 16, 32, 12, 24, 27653, 1, "timm:deit_base_patch16_224"),
    PaperRow("segmentation", "UNet", 44, 93, 44, 93, 73626, 91, None, "not provided by torchvision or timm"),
    PaperRow("segmentation", "FCN", 39, 68, 36, 63, 67254, 84, "torchvision:fcn_resnet50",
             "with the auxiliary classifier of the pretrained weights (n = 57)"),
    PaperRow("segmentation", "PSPNet", 38, 90, 38, 90, 61446, 90, None, "not provided by torchvision or timm"),
    PaperRow("segmentation", "MobileNet-V3", 45, 71, 42, 66, 110267, 84, "torchvision:deeplabv3_resnet50",
             "the row's figures are DeepLabV3-ResNet-50's (n = 63, mu = 42, a 64 x 147 stem), not "
             "deeplabv3_mobilenet_v3_large's (n = 72, mu = 32, nullity(W1) = 11)"),
    PaperRow("segmentation", "Lite R-ASPP", 32, 48, 27, 40, 8756, 11, "torchvision:lraspp_mobilenet_v3_large"),
    PaperRow("localization", "Mask R-CNN", 54, 73, 50, 68, 74677, 83, "torchvision:maskrcnn_resnet50_fpn"),
    PaperRow("localization", "Faster R-CNN", 38, 52, 32, 43, 27366, 11, "torchvision:fasterrcnn_mobilenet_v3_large_fpn",
             "nullity(W1) = 11 and n = 73 identify the MobileNet-V3 FPN variant"),
    PaperRow("localization", "Keypoint R-CNN", 57, 75, 53, 69, 97230, 84, "torchvision:keypointrcnn_resnet50_fpn"),
    PaperRow("localization", "RetinaNet", 53, 74, 50, 70, 72845, 72, "torchvision:retinanet_resnet50_fpn",
             "the paper's nullity(W1) = 72 is below the structural 83 of the 64 x 147 ResNet stem: not reproducible"),
)


def explain(audit: ModelAudit, row: PaperRow) -> list[str]:
    """Why our figures for ``row`` differ from the paper's, computed from the audit itself."""
    notes: list[str] = [row.note] if row.note else []
    extra = [l for l in audit.layers if l.nullity > l.structural_nullity]
    zero = [l.name for l in extra if l.rank == 0]
    if zero:
        notes.append(f"zero-initialised in the random architecture (rank 0): {', '.join(zero)}")
    small = [l for l in extra if l.rank > 0]
    if small:
        count = sum(l.nullity - l.structural_nullity for l in small)
        notes.append(f"{len(small)} weight(s) with {count} singular value(s) below the fp32 tolerance in the random init")
    s_first = audit.structural_nullity_first
    if s_first is not None and row.nullity_first > s_first:
        notes.append(f"the paper's trained W1 has {row.nullity_first - s_first} numerically null direction(s) beyond the structural {s_first}")
    structural_sum = audit.structural_sum_nullity
    if row.sum_nullity > structural_sum:
        notes.append(f"the paper's trained weights add {row.sum_nullity - structural_sum} numerical null directions "
                     f"to the structural {structural_sum}")
    elif row.sum_nullity < structural_sum:
        notes.append(f"the paper's sum is {structural_sum - row.sum_nullity} below the structural minimum "
                     "for this architecture: a different variant or weight set")
    if row.nu > audit.structural_nu:
        notes.append(f"{row.nu - audit.structural_nu} of the paper's nu are trained square/tall weights that are numerically rank-deficient")
    return notes


def compare(audit: ModelAudit | None, row: PaperRow) -> Table2Row:
    """Paper vs ours (numerical and structural) for one Table 2 row; ``audit`` is None where no model exists."""
    if audit is None:
        return Table2Row(row.task, row.model, row.spec, row, None, "none", [row.note])
    ours = Table2Figures(**{f: getattr(audit, f) for f in Table2Figures.__dataclass_fields__})
    return Table2Row(row.task, row.model, row.spec, row, ours, audit.weights, explain(audit, row),
                     Artifact.table(list(audit.layers)))


def markdown(rows: list[Table2Row]) -> str:
    """The README table: paper / ours (numerical) / ours (structural) side by side."""
    head = ("| Task | Model | nullsight spec | n | ν paper | ν ours (struct.) | μ paper | μ ours | "
            "Σ nullity paper | Σ nullity ours (struct.) | nullity(W1) paper | nullity(W1) ours (struct.) |")
    lines = [head, "|" + "---|" * 12]
    for r in rows:
        p, o = r.paper, r.ours
        if o is None:
            lines.append(f"| {r.task} | {r.model} | — | | {p.nu} | — | {p.mu} | — | {p.sum_nullity:,} | — | "
                         f"{p.nullity_first} | — |")
            continue
        lines.append(
            f"| {r.task} | {r.model} | `{r.spec}` | {o.n_weights} | {p.nu} ({p.nu_pct}%) | "
            f"{o.nu} ({o.structural_nu}) | {p.mu} ({p.mu_pct}%) | {o.mu} | {p.sum_nullity:,} | "
            f"{o.sum_nullity:,} ({o.structural_sum_nullity:,}) | {p.nullity_first} | "
            f"{o.nullity_first} ({o.structural_nullity_first}) |"
        )
    return "\n".join(lines) + "\n"

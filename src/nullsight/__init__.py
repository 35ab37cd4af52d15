"""nullsight: the directions a neural network cannot see.

The Python API mirrors the CLI: models and data by name, pure cores on
tensors, dataclass results with ``to_dict()``.

>>> import nullsight
>>> audit = nullsight.audit_model(nullsight.load_model("nullsight:mlp").module, name="mlp")
>>> audit.nullity_first
752
"""

from importlib import metadata as _metadata

from .audit import LayerAudit, ModelAudit, audit_model
from .errors import NullsightError
from .linalg import RankInfo, null_space, numerical_rank, reference_rank
from .models import load_model

try:
    __version__ = _metadata.version("nullsight")
except _metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

__all__ = [
    "LayerAudit",
    "ModelAudit",
    "NullsightError",
    "RankInfo",
    "__version__",
    "audit_model",
    "load_model",
    "null_space",
    "numerical_rank",
    "reference_rank",
]

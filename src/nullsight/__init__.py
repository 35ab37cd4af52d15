"""nullsight: the directions a neural network cannot see.

The Python API mirrors the CLI: models and data by name, pure cores on
tensors, dataclass results with ``to_dict()``.  Attributes load lazily, so
``nullsight --help`` does not wait for torch.

>>> import nullsight
>>> audit = nullsight.audit_model(nullsight.load_model("nullsight:mlp").module, name="mlp")
>>> audit.nullity_first
752
"""

from importlib import metadata as _metadata

from .errors import NullsightError
from .lazy import lazy_exports

try:
    __version__ = _metadata.version("nullsight")
except _metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

_LAZY = {
    "LayerAudit": "nullsight.audit",
    "ModelAudit": "nullsight.audit",
    "audit_model": "nullsight.audit",
    "RankInfo": "nullsight.linalg",
    "null_space": "nullsight.linalg",
    "numerical_rank": "nullsight.linalg",
    "reference_rank": "nullsight.linalg",
    "load_classifier": "nullsight.models",
    "load_model": "nullsight.models",
    "load_data": "nullsight.data",
}

__all__ = ["NullsightError", "__version__", *sorted(_LAZY)]
__getattr__, _dir = lazy_exports(__name__, _LAZY)

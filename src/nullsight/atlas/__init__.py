"""The null-space atlas: every timm and torchvision architecture audited, with its first operator's collision verdict
(seed 000: Table 2, Definition 4, Remark 2), on Ray."""

from ..lazy import lazy_exports

_EXPORTS = {
    "AtlasResult": ".result",
    "AtlasRow": ".result",
    "AtlasStore": ".store",
    "EngineSettings": ".engine",
    "Signature": ".verdict",
    "atlas_result": ".engine",
    "audit_architecture": ".architecture",
    "decide": ".verdict",
    "run_atlas": ".engine",
    "select": ".zoo",
    "survey": ".architecture",
    "zoo": ".zoo",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

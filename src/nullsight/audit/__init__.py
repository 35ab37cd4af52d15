"""Weight null-space audit (seed 000, Table 2): :func:`audit_model` and the Table 2 reproduction."""

from ..lazy import lazy_exports

_EXPORTS = {
    "LayerAudit": ".core",
    "ModelAudit": ".core",
    "audit_model": ".core",
    "summarise": ".core",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

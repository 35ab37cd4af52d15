"""Weight null-space audit (seed 000, Table 2): :func:`audit_model` and the Table 2 reproduction."""

from .core import LayerAudit, ModelAudit, audit_model, summarise

__all__ = ["LayerAudit", "ModelAudit", "audit_model", "summarise"]

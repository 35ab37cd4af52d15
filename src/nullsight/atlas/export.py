"""The atlas's files: ``atlas.json`` (lean: every row without its per-model details, the whole zoo in < 200 KB),
``atlas.parquet`` (every field of every row, one column each, nested records flattened with dots) and the page
``atlas.html`` (:func:`nullsight.atlas.page.render_page`, from the full typed result).  All written atomically.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from ..errors import InvalidInputError
from ..io import output_group, to_json, write_bytes, write_text
from ..results import to_jsonable
from .result import AtlasResult


def flat_records(atlas: AtlasResult) -> list[dict[str, Any]]:
    """One flat dict per row: nested records as ``audit.mu``, lists as JSON text (Parquet's plain columns)."""
    out = []
    for row in to_jsonable(atlas.rows):
        flat: dict[str, Any] = {}
        _flatten("", row, flat)
        out.append(flat)
    return out


def _flatten(prefix: str, value: Any, out: dict[str, Any]) -> None:
    if value is None:  # an absent record: its columns stay empty for this row
        return
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(f"{prefix}{key}.", item, out)
        return
    out[prefix[:-1]] = json.dumps(value) if isinstance(value, list) else value


def parquet_bytes(atlas: AtlasResult) -> bytes:
    """The rows as a Parquet table (pyarrow), columns in a fixed order."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise InvalidInputError("atlas export writes Parquet with pyarrow: pip install 'nullsight[atlas]'") from None
    records = flat_records(atlas)
    columns = sorted({k for r in records for k in r}, key=lambda k: (k.count("."), k))
    data = {c: [r.get(c) for r in records] for c in columns}
    table = pa.table({c: pa.array(v, type=_arrow_type(pa, v)) for c, v in data.items()})
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="zstd")
    return buffer.getvalue()


def _arrow_type(pa: Any, values: list[Any]) -> Any:
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, bool) for v in present):
        return pa.bool_()
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return pa.int64()
    if present and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        return pa.float64()
    return pa.string()


def write_atlas(atlas: AtlasResult, out_dir: str | Path, page: bool = True, full: bool = False) -> list[Path]:
    """Write ``atlas.json`` (lean, or every field with ``full``), ``atlas.parquet`` and (``page``) ``atlas.html``
    into ``out_dir``, as one group."""
    out_dir = Path(out_dir)
    written = []
    with output_group():
        written.append(write_text(out_dir / "atlas.json", to_json(atlas.to_dict()) if full else lean_json(atlas)))
        written.append(write_bytes(out_dir / "atlas.parquet", parquet_bytes(atlas)))
        if page:
            from .page import render_page

            written.append(Path(render_page(atlas, out_dir / "atlas.html")))
    return written


def read_parquet(path: str | Path) -> list[dict[str, Any]]:
    """The flat records of an ``atlas.parquet`` (for tests and tools)."""
    import pyarrow.parquet as pq

    return pq.read_table(str(path)).to_pylist()


def lean_json(atlas: AtlasResult) -> str:
    """``atlas.json``'s text: the lean result (:meth:`AtlasResult.lean_dict`), stable, one row per line."""
    data = atlas.lean_dict()
    rows = data.pop("rows")
    head = to_json({**data, "rows": []})
    body = ",\n".join(json.dumps(row, sort_keys=True, separators=(",", ":"), allow_nan=False) for row in rows)
    return head.replace('"rows": []', '"rows": [\n' + body + '\n  ]' if rows else '"rows": []')

"""Write a stored run as files: ``customers.csv``, ``summary.json``, ``rejected.csv`` and every result table.

Spreadsheet formula injection is neutralised in every text cell: a value starting with ``=``, ``+``,
``-``, ``@``, tab or carriage return gets a leading apostrophe, so Excel shows it as text.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from salesfocus.workspace import Run

__all__ = ["neutralise", "write_outputs", "write_table_csv", "CUSTOMER_COLUMNS_FIRST", "to_frame"]

CUSTOMER_COLUMNS_FIRST = [
    "customer_id", "name", "status", "revenue", "cost_of_goods", "gross_margin", "margin_pct", "orders",
    "order_lines", "first_order", "last_order", "recency_days", "tenure_days", "orders_per_year",
    "avg_order_value", "returns_count", "returns_value", "days_to_pay",
]
_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
REJECTED_COLUMNS = ["table", "file", "row", "column", "value", "reason"]


def neutralise(value: Any) -> Any:
    """Make a text cell literal in a spreadsheet when it would start a formula."""
    if isinstance(value, str) and value.startswith(_TRIGGERS):
        return "'" + value
    return value


_TRIGGER_RE = r"^[=+\-@\t\r]"


def neutralise_column(col: pa.ChunkedArray | pa.Array) -> pd.Series:
    """A whole text column neutralised at once (as :func:`neutralise` per value); object dtype, None for null."""
    hit = pc.fill_null(pc.match_substring_regex(col, _TRIGGER_RE), False)
    safe = pc.if_else(hit, pc.binary_join_element_wise("'", col, ""), col)
    return pd.Series(safe.to_numpy(zero_copy_only=False), dtype="object")


def text_column(col: pa.ChunkedArray | pa.Array) -> pd.Series:
    """A text column as object dtype with None for null (not pandas' string dtype)."""
    return pd.Series(col.to_numpy(zero_copy_only=False), dtype="object")


def decimal_column(col: pa.ChunkedArray | pa.Array) -> pd.Series:
    """Decimals as float64, each the nearest double (as ``float(Decimal)``): via their exact text."""
    return pd.Series(col.cast(pa.string()).cast(pa.float64()).to_numpy(zero_copy_only=False), dtype="float64")


def to_frame(table: pa.Table, money_digits: int = 2) -> pd.DataFrame:
    """Arrow to pandas for output: decimals as rounded floats, text neutralised."""
    cols = {}
    for name, col in zip(table.column_names, table.columns, strict=True):
        t = col.type
        if pa.types.is_decimal(t):
            cols[name] = decimal_column(col).round(money_digits)
        elif pa.types.is_string(t) or pa.types.is_large_string(t):
            cols[name] = neutralise_column(col)
        else:
            cols[name] = col.to_pandas()
    return pd.DataFrame(cols, columns=table.column_names)


def write_table_csv(table: pa.Table, path: Path, first: list[str] | None = None) -> None:
    df = to_frame(table)
    if first:
        df = df[[c for c in first if c in df.columns] + [c for c in df.columns if c not in first]]
    df.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")


def _json_default(v: Any) -> Any:
    if hasattr(v, "isoformat"):
        return v.isoformat()
    if hasattr(v, "item"):
        return v.item()
    return str(v)


def _clean(v: Any) -> Any:
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    if isinstance(v, dict):
        return {k: _clean(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_clean(x) for x in v]
    return v


def write_outputs(run: Run, out: Path) -> list[Path]:
    """Render the run's tables into ``out``; returns the files written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in run.tables:
        path = out / f"{name}.csv"
        write_table_csv(run.table(name), path, CUSTOMER_COLUMNS_FIRST if name == "customers" else None)
        written.append(path)
    if "rejected" not in run.tables:
        pd.DataFrame(columns=REJECTED_COLUMNS).to_csv(out / "rejected.csv", index=False)
        written.append(out / "rejected.csv")
    summary = _clean(dict(run.meta.get("summary", {})) | {"run_id": run.run_id, "created_at": run.created_at})
    (out / "summary.json").write_text(json.dumps(summary, indent=2, default=_json_default, ensure_ascii=False),
                                      encoding="utf-8")
    written.append(out / "summary.json")
    return written

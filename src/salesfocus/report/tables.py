"""What a view needs to know about a run's tables: their order, their section, and how to show each column.

Which tables are in a run depends on the data and on which analyses exist, so every view works from
``RunData``: the tables the run holds, in the catalogue's order, each read once. A column's *kind*
(money, percentage, count, date, text …) follows from its name and type, so a view formats a column it has
never seen (``cost_visits`` is money, ``visits_share`` a percentage) without a list to keep up to date.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import threading
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from salesfocus.model.context import Made
from salesfocus.report.i18n import Texts
from salesfocus.report.outputs import decimal_column, neutral_text, text_column
from salesfocus.workspace import MADE_PREFIX, Run

__all__ = ["RunData", "SECTIONS", "EXPECTED", "column_kind", "category_columns", "CUSTOMER_ORDER", "clean", "version",
           "sort_order"]

# Sections of the report and the tables each holds, in reading order.
SECTIONS: list[tuple[str, list[str]]] = [
    ("profit", ["whale_curve", "pyramid", "effort", "loss_makers", "loss_maker_cross_selling"]),
    ("segments", ["abc_matrix", "abc_top", "value_matrix", "segment_policy", "top_group_profile", "clusters",
                  "prospects"]),
    ("prediction", ["at_risk", "churn_drivers", "cross_sell"]),
    ("targeting", ["segments", "targeting_scores", "targeting_weights", "segment_quality", "alarms",
                   "account_manager_load", "lead_channels"]),
    ("periods", ["periods", "migration", "retention", "cohorts", "goals", "scorecard", "funnel", "funnel_channels",
                 "projection", "migration_customers", "customer_periods"]),
    ("data", ["customers", "customer_years", "rejected"]),
]
# Tables a complete run has; a missing one gets a note (rejected is absent when nothing was rejected).
EXPECTED = {
    "profit": ["whale_curve", "pyramid", "effort", "loss_makers"],
    "segments": ["abc_matrix", "value_matrix", "segment_policy", "top_group_profile"],
    "prediction": ["at_risk"],
    "targeting": ["segments"],
    "periods": ["migration", "retention", "goals", "funnel"],
}
# The per-customer columns the workbook shows (all of them are in customers.csv), in this order.
CUSTOMER_ORDER = [
    "customer_id", "name", "status", "pyramid_level", "abc_segment", "abcd_segment", "value_group", "target_segment",
    "revenue", "cost_of_goods", "gross_margin", "margin_pct", "cost_orders", "cost_order_lines", "cost_deliveries",
    "cost_invoices", "cost_visits", "cost_calls", "cost_support", "cost_complaints", "cost_returns", "cost_quotes",
    "cost_other", "cost_late_payment", "cost_to_serve", "net_profit", "profit_pct", "orders", "avg_order_value",
    "first_order", "last_order", "days_to_pay", "visits", "over_served", "under_served", "criteria_yes", "abc_value",
    "contact_model", "p_active", "clv", "potential_revenue", "value_at_risk", "at_risk", "cross_sell_groups",
    "top_product_group", "account_manager", "sector", "region", "size_class", "email",
]
_CATEGORY = {"status", "pyramid_level", "value_group", "main_group", "contact_model", "abc_size", "dimension",
             "attribute", "abc_potential_source", "satisfaction_source", "from_level", "to_level", "level", "kind",
             "direction", "group_by", "axis", "label"}
# Columns whose unit differs from what the name suggests: percentage points (31.5 = 31.5%), or plain numbers.
_TABLE_KINDS = {
    "segments": {"margin_pct": "pctpt", "penetration_pct": "pctpt"},
    "targeting_scores": {"margin_pct": "pctpt", "penetration_pct": "pctpt"},
    "targeting_weights": {"share_pct": "pctpt", "weight": "num2"},
    "alarms": {"value": "ratio", "threshold": "ratio", "red_threshold": "ratio"},
    "segment_quality": {"value": "ratio", "threshold": "ratio"},
    "goals": {"progress": "pct", "target": "num2", "actual": "num2"},
}
_PCT_NAMES = {"share", "p_active", "cost_coverage", "retention", "conversion", "churn"}
_MONEY_WORDS = {"revenue", "margin", "cost", "profit", "clv", "fee", "amount", "value", "potential", "price",
                "spend", "size", "wallet"}
_NOT_MONEY = {"count", "code", "rank", "days", "yes", "source", "reasons", "pct", "share", "score", "orders",
              "cell", "class", "group", "groups", "id"}
_RATIO = {"lift", "p_value", "silhouette", "network_score", "lookalike_score", "nps", "auc", "ratio", "rate_ratio",
          "load", "revenue_index", "stability", "homogeneity"}
_COUNTS = {"visits", "calls", "tickets", "complaints", "deliveries", "quotes", "returns", "activities", "served",
           "lines", "handled", "customers", "buyers", "invoices"}
_PCT_ENDS = ("_pct", "_share", "_rate", "_pct_change", "_retention")
_INTS = {"year", "rank", "cluster", "level_order", "margin_code", "frequency_code", "satisfaction_code",
         "criteria_yes", "criteria5_yes", "row", "lookalike_rank", "profit_rank"}


def _type_kind(dtype: pa.DataType | None) -> str | None:
    if dtype is None:
        return None
    if pa.types.is_boolean(dtype):
        return "bool"
    if pa.types.is_date(dtype) or pa.types.is_timestamp(dtype):
        return "date"
    if pa.types.is_string(dtype) or pa.types.is_large_string(dtype) or pa.types.is_null(dtype):
        return "text"
    return None


def _name_kind(name: str, words: set[str]) -> str | None:
    if name == "year":
        return "year"
    if name in _INTS:
        return "int"
    if name in _RATIO:
        return "ratio"
    if name in _PCT_NAMES or name.endswith(_PCT_ENDS) or "share" in words:
        return "pct"
    money = words & _MONEY_WORDS and not words & _NOT_MONEY
    if money or name.startswith("cost_") or name.endswith("_cost") or name in ("min_order_size", "avg_order_value"):
        return "money"
    return None


def column_kind(name: str, dtype: pa.DataType | None = None, table: str | None = None) -> str:
    """How to show a column: money, pct, pctpt (points), int, count, year, num1, num2, ratio, date, bool or text."""
    by_type = _type_kind(dtype)
    special = _TABLE_KINDS.get(table or "", {}).get(name)
    if special and by_type != "text":
        return special
    words = set(name.split("_"))
    kind = by_type or _name_kind(name, words)
    if kind:
        return kind
    if dtype is not None and pa.types.is_integer(dtype):
        return "int"
    if words & _COUNTS and not words & {"per", "share"}:
        return "count"
    if words & {"visits", "hours", "days", "orders", "year", "calls", "tickets"}:
        return "num1"
    return "num2"


def category_columns(columns: list[str]) -> set[str]:
    """Columns whose values are words the report translates (pyramid level, value group, …)."""
    return {c for c in columns if c in _CATEGORY or c.endswith("_source")}


def clean(v: Any) -> Any:
    """A cell value for a view: NaN/inf and pandas NA become None, numpy scalars become Python values."""
    if v is None:
        return None
    if v is pd.NaT:
        return None
    if hasattr(v, "item") and not isinstance(v, str | bytes):
        with contextlib.suppress(ValueError, AttributeError):
            v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return v


def version() -> str:
    """The installed salesfocus version ('' in a bare source checkout)."""
    try:
        from importlib.metadata import version as _v

        return _v("salesfocus")
    except Exception:  # not installed as a distribution
        return ""


def _text(col: pa.ChunkedArray, neutral: bool) -> pd.Series:
    """A text column as object dtype; a long column with few distinct values makes each Python string once."""
    if neutral:
        col = neutral_text(col)
    if len(col) >= 5_000:
        coded = col.combine_chunks().dictionary_encode()
        if len(coded.dictionary) <= len(col) // 4:
            words = np.asarray(coded.dictionary.to_pylist() + [None], dtype=object)
            codes = coded.indices.fill_null(len(coded.dictionary)).to_numpy(zero_copy_only=False)
            return pd.Series(words[codes], dtype="object")
    return text_column(col)


def _frame(table: pa.Table, *, neutral: bool) -> pd.DataFrame:
    cols = {}
    for name, col in zip(table.column_names, table.columns, strict=True):
        t = col.type
        if pa.types.is_decimal(t):
            cols[name] = decimal_column(col)
        elif pa.types.is_string(t) or pa.types.is_large_string(t):
            cols[name] = _text(col, neutral)
        elif pa.types.is_date(t):
            cols[name] = pd.Series(col.to_pandas(date_as_object=True), dtype="object")
        else:
            cols[name] = col.to_pandas()
    return pd.DataFrame(cols, columns=table.column_names)


def sort_order(table: pa.Table, keys: list[tuple[str, str]]) -> np.ndarray:
    """Row positions sorted by ``keys`` ((column, "ascending"|"descending")), stable, empty values last.

    As pandas' ``sort_values(kind="stable", na_position="last")``: NaN counts as empty.
    """
    cols, names = [], []
    for name, _ in keys:
        col = table.column(name)
        if pa.types.is_floating(col.type):
            col = pc.if_else(pc.is_nan(col), pa.scalar(None, col.type), col)
        cols.append(col)
        names.append(name)
    idx = pc.sort_indices(pa.table(cols, names=names), sort_keys=keys)  # empty values last (the default)
    return idx.to_numpy()


class RunData:
    """A stored run as the views read it: tables in catalogue order, each fetched and converted once."""

    def __init__(self, run: Run, lang: str | None = None) -> None:
        self.run = run
        cfg = run.meta.get("config") or {}
        self.lang = lang or cfg.get("lang") or "en"
        self.texts = Texts(self.lang)
        self._arrow: dict[str, pa.Table] = {}
        self._reading = threading.Lock()
        self._frames: dict[tuple[str, bool, tuple[str, ...] | None], pd.DataFrame] = {}
        self._made: dict[str, Made] = {}

    @property
    def summary(self) -> dict[str, Any]:
        return self.run.meta.get("summary") or {}

    @property
    def config(self) -> dict[str, Any]:
        return self.run.meta.get("config") or {}

    @property
    def tables(self) -> list[str]:
        """The run's tables: the catalogue's first, in its order, then any others alphabetically."""
        known = [t for _, names in SECTIONS for t in names]
        have = set(self.run.tables)
        return [t for t in known if t in have] + sorted(have - set(known))

    def has(self, name: str, *columns: str) -> bool:
        """True when the run holds table ``name`` with every column in ``columns``."""
        if name not in self.run.tables:
            return False
        return all(c in self.schema(name).names for c in columns)

    def made(self, name: str) -> Made | None:
        """The table ``name`` when the engine made it in the workspace (a row per customer and period, millions of
        rows at 50M order lines) and it is not read yet: a view that needs its size and first rows reads those alone
        (:meth:`num_rows`, :meth:`schema`, :meth:`frame` with ``rows`` a number)."""
        held = self.run.meta.get("stored_as", {}).get(name)
        if name in self._arrow or not isinstance(held, str) or not held.startswith(MADE_PREFIX):
            return None
        with self._reading:
            return self._made.setdefault(name, Made(self.run.workspace, held))

    def num_rows(self, name: str) -> int:
        made = self.made(name)
        return made.num_rows if made is not None else self.arrow(name).num_rows

    def schema(self, name: str) -> pa.Schema:
        made = self.made(name)
        return made.schema if made is not None else self.arrow(name).schema

    def arrow(self, name: str) -> pa.Table:
        """The stored table, read from the workspace on first use (one read at a time: views run side by side)."""
        with self._reading:
            if name not in self._arrow:
                self._arrow[name] = self.run.table(name)
            return self._arrow[name]

    def frame(self, name: str, *, neutral: bool = False, columns: list[str] | None = None,
              rows: int | np.ndarray | list[int] | None = None) -> pd.DataFrame:
        """The table as pandas (decimals as floats); ``neutral`` makes formula-like text literal.

        ``columns`` (those the table has, in that order) and ``rows`` (the first n, or positions) are picked
        in Arrow before converting, so a view that shows a few rows of a large table converts only those.
        Frames of whole tables are kept for the next view.
        """
        made = self.made(name) if isinstance(rows, int) else None
        t = made.head(rows) if made is not None else self.arrow(name)
        cols = None if columns is None else tuple(c for c in columns if c in t.column_names)
        if rows is None:
            key = (name, neutral, cols)
            if key not in self._frames:
                self._frames[key] = _frame(t if cols is None else t.select(list(cols)), neutral=neutral)
            return self._frames[key]
        if cols is not None:
            t = t.select(list(cols))
        t = t.slice(0, rows) if isinstance(rows, int) else t.take(pa.array(np.asarray(rows, dtype=np.int64)))
        return _frame(t, neutral=neutral)

    def kinds(self, name: str) -> dict[str, str]:
        """Column → kind for table ``name``."""
        schema = self.schema(name)
        return {c: column_kind(c, schema.field(c).type, name) for c in schema.names}

    def section_of(self, name: str) -> str:
        for sec, names in SECTIONS:
            if name in names:
                return sec
        return "other"

    def missing(self) -> list[tuple[str, str]]:
        """(section, table) pairs a complete run has and this one lacks."""
        have = set(self.run.tables)
        return [(sec, t) for sec, names in EXPECTED.items() for t in names if t not in have]

    def period(self) -> tuple[str, str]:
        s = self.summary
        return self.texts.date(s.get("period_start")), self.texts.date(s.get("period_end"))

    def created(self) -> str:
        d = self.created_at()
        return str(self.run.created_at) if d is None else f"{self.texts.date(d.date())} {d:%H:%M}"

    def created_at(self) -> dt.datetime | None:
        """When the run was made (None when its time is not readable)."""
        try:
            return dt.datetime.fromisoformat(self.run.created_at)
        except (TypeError, ValueError):
            return None

    def workbook_created(self) -> dt.datetime | None:
        """The creation date of the run's workbooks: the run's time in UTC (what the file format holds), so that
        rendering one run again gives the same files."""
        made = self.created_at()
        return None if made is None else made.astimezone(dt.UTC)  # a time without zone is local

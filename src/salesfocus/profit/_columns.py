"""Small helpers shared by the profit analyses: column checks, optional columns, safe ratios."""

from __future__ import annotations

from collections.abc import Iterable

import ibis
import ibis.expr.types as ir

from salesfocus.errors import SchemaError

__all__ = ["require", "optional", "ratio", "DAYS_PER_YEAR", "years"]

DAYS_PER_YEAR = 365.25


def require(t: ibis.Table, columns: Iterable[str], what: str) -> None:
    """Raise :class:`SchemaError` naming the missing columns (sorted) that ``what`` needs."""
    missing = sorted(set(columns) - set(t.columns))
    if missing:
        raise SchemaError(f"{what} needs the per-customer columns {', '.join(missing)}; they are missing")


def optional(t: ibis.Table, name: str, dtype: str = "float64") -> ir.Value:
    """Column ``name`` cast to ``dtype``, or a typed NULL when the table does not carry it."""
    return t[name].cast(dtype) if name in t.columns else ibis.null(dtype)


def ratio(num: ir.NumericValue, den: ir.NumericValue) -> ir.FloatingValue:
    """``num / den`` as float64, NULL when the denominator is zero or unknown."""
    den_f = den.cast("float64")
    zero = ibis.literal(0.0) == den_f if not _is_null(den_f) else ibis.literal(True)
    return ibis.ifelse(zero, ibis.null("float64"), num.cast("float64") / den_f)


def _is_null(v: ir.Value) -> bool:
    """A typed NULL literal (compares with ``==`` as IS NULL in Ibis, so it needs its own case)."""
    op = v.op()
    return getattr(op, "value", 0) is None


def years(tenure_days: ir.NumericValue) -> ir.FloatingValue:
    """Years a customer is in the data, at least one: ``max(tenure_days, 365.25) / 365.25``.

    The same convention as ``orders_per_year`` in :mod:`salesfocus.measures.customer`: a young customer
    is not extrapolated to a full year.
    """
    return ibis.greatest(tenure_days.cast("float64"), ibis.literal(DAYS_PER_YEAR)) / DAYS_PER_YEAR

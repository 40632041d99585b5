"""What every segmenter shares: column checks, the annual figures of the window, and 1–3 coding.

A segmenter stores its settings in the constructor and does its work in ``build`` (an Ibis expression
keyed by ``customer_id``; nothing executes here). The annual figures answer "how large is this customer
per year, lately" the same way for the A/B/C matrix, the value matrix and the clusters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import ibis
import ibis.expr.types as ir

from salesfocus.errors import SchemaError

__all__ = ["Segmentation", "ensure_columns", "annual_figures", "with_annual_figures", "ANNUAL_COLUMNS", "answered",
           "scaled", "code_1_3", "fmt_int", "fmt_pct", "DAYS_PER_YEAR"]

DAYS_PER_YEAR = 365.25


def ensure_columns(table: ibis.Table, needed: Iterable[str], what: str) -> None:
    """Raise a SchemaError naming the columns ``what`` needs and the table lacks (sorted)."""
    missing = sorted(set(needed) - set(table.columns))
    if missing:
        raise SchemaError(f"{what} needs the column(s) {', '.join(missing)} in the per-customer table")


class Segmentation:
    """Base of the rule-based segmenters: settings in, ``build(table) -> ibis.Table`` out.

    Subclasses declare ``required`` (input columns) and implement ``_build``.
    """

    required: tuple[str, ...] = ("customer_id",)

    def __init__(self, config) -> None:
        self.config = config

    def build(self, table: ibis.Table) -> ibis.Table:
        """Check the input columns, then build the per-customer segment expression."""
        ensure_columns(table, self.required, type(self).__name__)
        return self._build(table)

    def _build(self, table: ibis.Table) -> ibis.Table:  # pragma: no cover - abstract
        raise NotImplementedError


def annual_figures(customers: ibis.Table, years_table: ibis.Table | None, *, as_of: dt.date,
                   years: int) -> ibis.Table:
    """Annual revenue, gross margin and orders over the last ``years`` calendar years up to ``as_of``.

    Window: 1 January of year ``as_of.year - years + 1`` up to ``as_of``. Exposure: the days from the
    later of the window start and the customer's first order to ``as_of``, at least one year, so a
    young customer is annualised but never extrapolated beyond a year and a lapsed one is not flattered:

    ``annual_revenue = revenue in window / max(exposure_days, 365.25) * 365.25`` (same for margin, orders).

    Without the per-year table the whole period is used: ``revenue * 365.25 / max(tenure_days, 365.25)``.
    Returns ``customer_id, annual_revenue, annual_margin, annual_orders, complaints_per_year,
    visits_per_year``.
    """
    ensure_columns(customers, ["customer_id", "revenue", "gross_margin", "orders", "tenure_days"], "annual figures")
    c = customers
    if years_table is None:
        return c.select("customer_id", **_whole_period(c))
    j = c.select("customer_id", "first_order", "gross_margin", *[k for k in ("complaints", "visits", "tenure_days")
                                                                 if k in c.columns])
    j = with_annual_figures(j, years_table, as_of=as_of, years=years)
    return j.select("customer_id", *ANNUAL_COLUMNS)


ANNUAL_COLUMNS = ("annual_revenue", "annual_margin", "annual_orders", "complaints_per_year", "visits_per_year")


def with_annual_figures(table: ibis.Table, years_table: ibis.Table | None, *, as_of: dt.date, years: int) -> ibis.Table:
    """``table`` (the per-customer columns :func:`annual_figures` reads) plus its columns, replacing any it has.

    One join with the per-year table; every other column passes through, so callers need not join back.
    """
    if years_table is None:
        return table.mutate(**_whole_period(table))
    start_year = as_of.year - years + 1
    y = years_table.filter((years_table.year >= start_year) & (years_table.year <= as_of.year))
    w = y.group_by("customer_id").aggregate(
        _rev=y.revenue.cast("float64").sum(), _mar=y.gross_margin.cast("float64").sum(),
        _ord=y.orders.cast("float64").sum())
    j = table.left_join(w, "customer_id").drop("customer_id_right")
    start = ibis.greatest(j.first_order, ibis.literal(dt.date(start_year, 1, 1)))
    days = (ibis.literal(as_of).delta(start, unit="day") + 1).cast("float64")
    exposure = ibis.greatest(days.fill_null(0.0), DAYS_PER_YEAR)
    has_margin = j.gross_margin.notnull()
    whole_j = ibis.greatest(j.tenure_days.cast("float64").fill_null(0.0), DAYS_PER_YEAR)
    return j.mutate(
        annual_revenue=(j._rev.fill_null(0.0) * DAYS_PER_YEAR / exposure),
        annual_margin=ibis.ifelse(has_margin, j._mar.fill_null(0.0) * DAYS_PER_YEAR / exposure,
                                  ibis.null("float64")),
        annual_orders=(j._ord.fill_null(0.0) * DAYS_PER_YEAR / exposure),
        **{name: (j[col].cast("float64").fill_null(0.0) * DAYS_PER_YEAR / whole_j if col in j.columns
                  else ibis.literal(0.0))
           for col, name in (("complaints", "complaints_per_year"), ("visits", "visits_per_year"))},
    ).drop("_rev", "_mar", "_ord")


def _whole_period(c: ibis.Table) -> dict[str, ir.Value]:
    whole = ibis.greatest(c.tenure_days.cast("float64").fill_null(0.0), DAYS_PER_YEAR)
    per_year = lambda x: x.cast("float64") * DAYS_PER_YEAR / whole  # noqa: E731
    extra = {}
    for col, name in (("complaints", "complaints_per_year"), ("visits", "visits_per_year")):
        extra[name] = per_year(c[col]).fill_null(0.0) if col in c.columns else ibis.literal(0.0)
    return dict(annual_revenue=per_year(c.revenue).fill_null(0.0), annual_margin=per_year(c.gross_margin),
                annual_orders=per_year(c.orders).fill_null(0.0), **extra)


def answered(t: ibis.Table, criteria: Iterable[str]) -> ibis.Table:
    """One row, column ``_m``: how many of the questions anybody or any data answered in this data set.

    A question counts when some customer's ``<q>_source`` is not 'none'; one without a source column counts.
    Cross-join it onto the table to use it per row.
    """
    aggs = {f"_a_{q}": (t[f"{q}_source"] != "none").any().cast("int64") for q in criteria if f"{q}_source" in t.columns}
    fixed = sum(1 for q in criteria if f"{q}_source" not in t.columns)
    one = t.aggregate(**aggs) if aggs else t.aggregate(_n=t.count())
    m = sum((one[c].fill_null(0) for c in aggs), ibis.literal(fixed))
    return one.select(_m=m.cast("int64"))


def scaled(threshold: int, m: ir.IntegerValue, n: int, *, up: bool = True) -> ir.IntegerValue:
    """A yes-count threshold of ``n`` questions scaled to the ``m`` answerable ones.

    ``ceil(threshold · m / n)`` for a minimum (``up``), ``floor`` for a maximum; with every question
    answerable (m = n) it is the threshold itself. With only order lines the margin question is the only
    one the data can answer, and "2 of 4 yes" becomes "1 of 1".
    """
    v = ibis.literal(float(threshold)) * m.cast("float64") / float(n)
    return (v.ceil() if up else v.floor()).cast("int64")


def code_1_3(value: ir.NumericValue, low: ir.NumericValue, high: ir.NumericValue, *,
             inclusive: bool = True) -> ir.IntegerValue:
    """Code a value 1–3 against two cut-offs; NULL stays NULL.

    Tertiles (``inclusive=True``): 1 when value ≤ P33, 2 when ≤ P67, else 3. Fixed cut-offs
    (``inclusive=False``, cuts are the lowest value of code 2 and code 3): 1 when value < cut2,
    2 when < cut3, else 3 — NPS with cuts 7 and 9 gives detractors 1, passives 2, promoters 3.
    """
    if inclusive:
        code = ibis.cases((value <= low, 1), (value <= high, 2), else_=3)
    else:
        code = ibis.cases((value < low, 1), (value < high, 2), else_=3)
    return ibis.ifelse(value.isnull(), ibis.null("int64"), code.cast("int64"))


def fmt_int(x: ir.NumericValue) -> ir.StringValue:
    """A number rounded to a whole number as text ('?' when NULL)."""
    return x.cast("float64").round().cast("int64").cast("string").fill_null("?")


def fmt_pct(x: ir.NumericValue) -> ir.StringValue:
    """A fraction as a whole percentage ('18%'; '?' when NULL)."""
    return (fmt_int(x * 100) + "%").fill_null("?")

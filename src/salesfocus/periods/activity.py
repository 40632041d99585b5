"""Per customer and period: revenue, orders, whether active, pyramid level and A/B/C segment.

"Active in a period" follows the configured customer rule: at least ``customer_rule.min_orders`` orders
(not credit notes) in the period (default one). For every period the active customers are cut into
pyramid levels on that period's revenue with the profit package's level rule, and, where the segments
analysis has run, into A/B/C on that period's annualised revenue (see :func:`period_segments`).

:func:`pairs` lines up every customer's figures in a period next to those of the period before; migration,
retention, goals and the scorecard are all aggregates over it.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir

from salesfocus.config import ABCConfig, PyramidConfig
from salesfocus.errors import SchemaError
from salesfocus.periods.calendar import start_expr
from salesfocus.profit import pyramid_levels
from salesfocus.segments import ABC_CRITERIA, ABCSegmentation

__all__ = ["customer_period_figures", "period_levels", "period_segments", "pairs", "first_periods",
           "SEGMENT_INPUTS", "DAYS_PER_YEAR"]

DAYS_PER_YEAR = 365.25
SEGMENT_INPUTS = ("abc_potential", *(f"{q}_yes" for q in ABC_CRITERIA))


def customer_period_figures(orders: ibis.Table, kind: str, as_of: dt.date, *, has_cost: bool = True) -> ibis.Table:
    """``customer_id, start, revenue, gross_margin, orders``: the orders up to ``as_of`` per customer and period.

    ``start`` is the first day of the period (see :func:`salesfocus.periods.calendar.start_expr`);
    ``revenue`` is the net revenue of every order including credit notes (DECIMAL, summed exactly);
    ``gross_margin = revenue - cost`` (NULL without cost of goods); ``orders`` counts orders whose total is
    not negative. Runs on the engine that holds the orders; the result is small.
    """
    need = {"customer_id", "order_date", "revenue", "cost"}
    missing = sorted(need - set(orders.columns))
    if missing:
        raise SchemaError(f"periods need the order columns {', '.join(missing)}")
    o = orders.filter(orders.order_date <= ibis.literal(as_of))
    o = o.mutate(start=start_expr(o.order_date, kind).cast("date"))
    margin = (o.revenue - o.cost.fill_null(0)).sum() if has_cost else ibis.null("decimal(38, 4)")
    return o.group_by(["customer_id", "start"]).aggregate(
        revenue=o.revenue.sum(), gross_margin=margin, orders=(o.revenue >= 0).sum().cast("int64"))


def period_levels(figures: ibis.Table, config: PyramidConfig, n_periods: int) -> ibis.Table:
    """``customer_id, period_index, pyramid_level`` for every customer with orders in a period.

    Per period, the active customers are ranked on that period's revenue and cut by
    :func:`salesfocus.profit.pyramid_levels` (top 50%, large to 80%, medium to 95%, small the rest by default);
    a customer with orders but not active (credit notes only, or fewer than the rule's minimum) is ``inactive``.
    """
    parts = []
    for i in range(n_periods):
        t = figures.filter(figures.period_index == i)
        t = t.select("customer_id", status=ibis.ifelse(t.active, "active", "inactive"),
                     revenue=t.revenue.cast("float64"))
        parts.append(pyramid_levels(t, config, basis="revenue").mutate(period_index=ibis.literal(i, "int64")))
    return ibis.union(*parts) if len(parts) > 1 else parts[0]


def period_segments(figures: ibis.Table, customers: ibis.Table, config: ABCConfig, days: list[int]) -> ibis.Table:
    """``customer_id, period_index, abc_segment`` for every customer active in a period.

    Y of the A/B/C matrix is the period's revenue annualised (``revenue × 365.25 / days``, ``days`` the
    period's days up to the as-of date) plus the customer's potential; X, the yes answers to margin, speed,
    innovation and network, are the run's current answers (the criteria are not measured per period). So
    a move between A, B and C over the periods is a change in size.

    Raises
    ------
    SchemaError
        When ``customers`` lacks the segments analysis columns (``abc_potential``, ``<q>_yes``).
    """
    missing = sorted(set(SEGMENT_INPUTS) - set(customers.columns))
    if missing:
        raise SchemaError(f"per-period A/B/C needs the per-customer columns {', '.join(missing)}")
    answers = customers.select(
        "customer_id", abc_potential=customers.abc_potential.cast("float64"),
        **{f"{q}_yes": customers[f"{q}_yes"].fill_null(False) for q in ABC_CRITERIA},
        **{f"{q}_why": ibis.literal("") for q in ABC_CRITERIA})
    seg = ABCSegmentation(config)
    parts = []
    for i, d in enumerate(days):
        t = figures.filter((figures.period_index == i) & figures.active)
        t = t.select("customer_id", annual_revenue=t.revenue.cast("float64") * DAYS_PER_YEAR / max(d, 1))
        t = t.join(answers, "customer_id")
        parts.append(seg.build(t).select("customer_id", "abc_segment").mutate(period_index=ibis.literal(i, "int64")))
    return ibis.union(*parts) if len(parts) > 1 else parts[0]


def first_periods(figures: ibis.Table) -> ibis.Table:
    """``customer_id, first_index``: the first period in which a customer was active (its cohort)."""
    f = figures.filter(figures.active)
    return f.group_by("customer_id").aggregate(first_index=f.period_index.min())


def _side(t: ibis.Table, now: bool, carry: tuple[str, ...], n_periods: int) -> ibis.Table:
    """One side of :func:`pairs`: the period's own figures (``now``) or those of the period before."""
    def val(col: str, dtype) -> ir.Value:
        return t[col] if now else ibis.null(dtype)

    def bef(col: str, dtype) -> ir.Value:
        return ibis.null(dtype) if now else t[col]

    cols = {"a_now": val("active", "boolean"), "a_bef": bef("active", "boolean"),
            "r_now": val("revenue", t.revenue.type()), "r_bef": bef("revenue", t.revenue.type()),
            "m_now": val("gross_margin", t.gross_margin.type()), "o_now": val("orders", "int64")}
    for c in carry:
        cols[f"{c}_now"] = val(c, "string")
        cols[f"{c}_bef"] = bef(c, "string")
    idx = t.period_index if now else t.period_index + 1
    out = t.select("customer_id", period_index=idx.cast("int64"), **cols)
    return out if now else out.filter(out.period_index < n_periods)


def pairs(figures: ibis.Table, first: ibis.Table, n_periods: int, carry: tuple[str, ...] = ()) -> ibis.Table:
    """Each customer's figures in a period next to the period before: one row per customer and period.

    A row exists for every customer with orders in period ``i`` or ``i - 1``. Columns: ``customer_id,
    period_index`` (``i``), ``a_now``/``a_bef`` (active in ``i`` / ``i - 1``), ``r_now``/``r_bef`` (revenue,
    0 without orders), ``m_now`` (gross margin in ``i``), ``o_now`` (orders in ``i``), ``<c>_now``/``<c>_bef``
    for each ``carry`` column (the level or segment), ``first_index`` (the cohort) and ``is_new`` (first
    active in ``i``).
    """
    u = ibis.union(_side(figures, True, carry, n_periods), _side(figures, False, carry, n_periods))
    agg = {"a_now": u.a_now.any(), "a_bef": u.a_bef.any(), "r_now": u.r_now.sum(), "r_bef": u.r_bef.sum(),
           "m_now": u.m_now.sum(), "o_now": u.o_now.sum()}
    for c in carry:
        agg[f"{c}_now"] = u[f"{c}_now"].max()
        agg[f"{c}_bef"] = u[f"{c}_bef"].max()
    p = u.group_by(["customer_id", "period_index"]).aggregate(**agg)
    zero = ibis.literal(0).cast(figures.revenue.type())
    p = p.mutate(a_now=p.a_now.fill_null(False), a_bef=p.a_bef.fill_null(False),
                 r_now=p.r_now.fill_null(zero), r_bef=p.r_bef.fill_null(zero), o_now=p.o_now.fill_null(0))
    p = p.left_join(first, "customer_id").drop("customer_id_right")
    return p.mutate(is_new=p.a_now & (p.first_index == p.period_index).fill_null(False))

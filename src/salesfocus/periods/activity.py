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


def period_levels(figures: ibis.Table, config: PyramidConfig) -> ibis.Table:
    """``customer_id, period_index, pyramid_level`` for every customer with orders in a period.

    Per period, the active customers are ranked on that period's revenue and cut by
    :func:`salesfocus.profit.pyramid_levels` (top 50%, large to 80%, medium to 95%, small the rest by default);
    a customer with orders but not active (credit notes only, or fewer than the rule's minimum) is ``inactive``.
    """
    t = figures.select("customer_id", period_index=figures.period_index.cast("int64"),
                       status=ibis.ifelse(figures.active, "active", "inactive"),
                       revenue=figures.revenue.cast("float64"))
    return pyramid_levels(t, config, basis="revenue", by=("period_index",))


def period_segments(figures: ibis.Table, customers: ibis.Table, config: ABCConfig, days: ibis.Table) -> ibis.Table:
    """``customer_id, period_index, abc_segment`` for every customer active in a period.

    Y of the A/B/C matrix is the period's revenue annualised (``revenue × 365.25 / days``, ``days`` the
    period's days up to the as-of date, from ``days``: ``period_index, days``) plus the customer's potential;
    the boundary of high Y is each period's own. X, the yes answers to margin, speed, innovation and network,
    are the run's current answers (the criteria are not measured per period), and the questions answerable
    are the run's, so a move between A, B and C over the periods is a change in size.

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
        **{f"{q}_yes": customers[f"{q}_yes"].fill_null(False) for q in ABC_CRITERIA})
    seg = ABCSegmentation(config)
    a = figures.filter(figures.active).select("customer_id", "period_index", "revenue")
    a = a.join(days.select("period_index", _days=days.days), "period_index").join(answers, "customer_id")
    t = a.select("customer_id", *answers.columns[1:], period_index=a.period_index.cast("int64"),
                 annual_revenue=a.revenue.cast("float64") * DAYS_PER_YEAR / ibis.greatest(a._days, 1))
    by = ("period_index",)
    out = seg.extend(t, seg.constants(t, by=by, answers=customers), by=by)
    return out.select("customer_id", "period_index", "abc_segment")


def first_periods(figures: ibis.Table) -> ibis.Table:
    """``customer_id, first_index``: the first period in which a customer was active (its cohort)."""
    f = figures.filter(figures.active)
    return f.group_by("customer_id").aggregate(first_index=f.period_index.min())


def pairs(figures: ibis.Table, first: ibis.Table, n_periods: int, carry: tuple[str, ...] = ()) -> ibis.Table:
    """Each customer's figures in a period next to the period before: one row per customer and period.

    A row exists for every customer with orders in period ``i`` or ``i - 1``. Columns: ``customer_id,
    period_index`` (``i``), ``a_now``/``a_bef`` (active in ``i`` / ``i - 1``), ``r_now``/``r_bef`` (revenue,
    0 without orders), ``m_now`` (gross margin in ``i``), ``o_now`` (orders in ``i``), ``<c>_now``/``<c>_bef``
    for each ``carry`` column (the level or segment), ``first_index`` (the cohort) and ``is_new`` (first
    active in ``i``).
    """
    # a window over each customer's periods instead of a union of both sides grouped on (customer, period): one
    # sort of the figures, no hash table of every pair (10M lines: ~0.6 -> ~0.45 CPU-s)
    f = figures
    w = ibis.window(group_by=f.customer_id, order_by=f.period_index)
    rev = f.revenue.type()
    zero = ibis.literal(0).cast(rev)
    f = f.mutate(_prev=(f.period_index.lag().over(w) == f.period_index - 1).fill_null(False),
                 _next=(f.period_index.lead().over(w) == f.period_index + 1).fill_null(False),
                 _a=f.active.lag().over(w), _r=f.revenue.lag().over(w),
                 **{f"_{c}": f[c].lag().over(w) for c in carry})
    before = f._prev

    def bef(value: ir.Value, dtype) -> ir.Value:
        return ibis.ifelse(before, value, ibis.null(dtype))

    now = f.select("customer_id", period_index=f.period_index.cast("int64"), a_now=f.active.fill_null(False),
                   a_bef=bef(f._a, "boolean").fill_null(False), r_now=f.revenue.fill_null(zero),
                   r_bef=bef(f._r, rev).fill_null(zero), m_now=f.gross_margin,
                   o_now=f.orders.cast("int64").fill_null(0),
                   **{k: v for c in carry for k, v in ((f"{c}_now", f[c].cast("string")),
                                                      (f"{c}_bef", bef(f[f"_{c}"], "string")))})
    # the period after a customer's last one with orders (or before a gap): active then, not now
    g = f.filter(~f._next & (f.period_index + 1 < n_periods))
    gone = g.select("customer_id", period_index=(g.period_index + 1).cast("int64"), a_now=ibis.literal(False),
                    a_bef=g.active.fill_null(False), r_now=zero, r_bef=g.revenue.fill_null(zero),
                    m_now=ibis.null(f.gross_margin.type()), o_now=ibis.literal(0, "int64"),
                    **{k: v for c in carry for k, v in ((f"{c}_now", ibis.null("string")),
                                                      (f"{c}_bef", g[c].cast("string")))})
    p = ibis.union(now, gone)
    p = p.left_join(first, "customer_id").drop("customer_id_right")
    return p.mutate(is_new=p.a_now & (p.first_index == p.period_index).fill_null(False))

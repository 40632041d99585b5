"""Retention: how many of last period's customers are still customers, and how much of their revenue stayed.

Per period against the one before, over the customers active in the earlier period (``customers_start``):

- customer retention = active in both / active in the earlier period;
- gross revenue retention = Σ min(revenue now, revenue before) / Σ revenue before (growth does not count);
- net revenue retention = Σ revenue now / Σ revenue before (growth does count).

``retained`` = active in both, ``lost`` = ``customers_start - retained``, ``new`` = first active in the later
period. For the whole base, per segment, per account manager and per acquisition cohort; a partial later
period is flagged. The cohort table follows each first-order period over the periods since: share still
active and revenue as an index of the first period's revenue.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from salesfocus.periods._util import ratio

__all__ = ["GROUP_BYS", "retention_table", "cohort_table", "group_value"]

GROUP_BYS = ("all", "segment", "account_manager", "cohort")
_COLUMNS = ("period", "group_by", "group", "customers_start", "retained", "lost", "new", "customer_retention",
            "gross_revenue_retention", "net_revenue_retention", "partial")


def group_value(pairs: ibis.Table, column: str) -> ir.StringValue:
    """The group of a customer in a move: its ``column`` in the earlier period when active then, else the later."""
    return ibis.ifelse(pairs.a_bef, pairs[f"{column}_bef"], pairs[f"{column}_now"])


def _rows(p: ibis.Table, group: ir.StringValue, group_by: str) -> ibis.Table:
    p = p.mutate(_group=group.fill_null("(none)"))
    start = p.a_bef
    zero = ibis.literal(0).cast(p.r_bef.type())
    g = p.group_by(["period_index", "_group"]).aggregate(
        customers_start=start.sum().cast("int64"),
        retained=(start & p.a_now).sum().cast("int64"),
        new=p.is_new.sum().cast("int64"),
        _before=p.r_bef.sum(where=start).fill_null(zero),
        _now=p.r_now.sum(where=start).fill_null(zero),
        _kept=ibis.least(p.r_now, p.r_bef).sum(where=start).fill_null(zero),
    )
    return g.select(
        "period_index", group_by=ibis.literal(group_by), group=g._group, customers_start="customers_start",
        retained="retained", lost=(g.customers_start - g.retained).cast("int64"), new="new",
        customer_retention=ratio(g.retained, g.customers_start),
        gross_revenue_retention=ratio(g._kept, g._before),
        net_revenue_retention=ratio(g._now, g._before),
    )


def retention_table(pairs: ibis.Table, calendar: ibis.Table, *, segment: str | None = None,
                    account_manager: ibis.Table | None = None) -> ibis.Table:
    """Retention per period (against the one before) for the whole base and per group.

    ``pairs``: see :func:`salesfocus.periods.activity.pairs`. ``segment`` names the carried column that gives
    the segment rows (the segment in the earlier period; a new customer's in the later). ``account_manager``
    is ``customer_id, account_manager`` (the current manager). Cohort rows group by the first active period.
    Columns: ``period, group_by, group, customers_start, retained, lost, new, customer_retention,
    gross_revenue_retention, net_revenue_retention, partial``.
    """
    p = pairs.filter((pairs.period_index >= 1) & (pairs.a_bef | pairs.a_now))
    cohort = calendar.select(first_index="period_index", _cohort="period")
    p = p.left_join(cohort, "first_index").drop("first_index_right")
    parts = [_rows(p, ibis.literal("all"), "all")]
    if segment is not None:
        parts.append(_rows(p, group_value(p, segment), "segment"))
    if account_manager is not None:
        am = account_manager.select("customer_id", _am="account_manager")
        pa_ = p.left_join(am, "customer_id").drop("customer_id_right")
        parts.append(_rows(pa_, pa_._am, "account_manager"))
    parts.append(_rows(p, p._cohort, "cohort"))
    r = ibis.union(*parts)
    cal = calendar.select("period_index", "period", "partial")
    r = r.join(cal, "period_index")
    order = ibis.cases(*[(r["group_by"] == g, i) for i, g in enumerate(GROUP_BYS)], else_=9)
    return r.order_by(["period_index", order, "group"]).select(*_COLUMNS)


def cohort_table(figures: ibis.Table, first: ibis.Table, calendar: ibis.Table) -> ibis.Table:
    """Cohorts by first active period × periods since: customers, still active, share, revenue and its index.

    ``revenue_index`` = the cohort's revenue in the period / its revenue in its first period. Columns:
    ``cohort, period, periods_since, customers, active, share_active, revenue, revenue_index, partial``.
    """
    f = figures.join(first, "customer_id")
    agg = f.group_by(["first_index", "period_index"]).aggregate(
        active=f.active.sum().cast("int64"), revenue=f.revenue.sum())
    size = first.group_by("first_index").aggregate(customers=first.count())
    cal = calendar.select("period_index", "period", "partial")
    grid = size.cross_join(cal)
    grid = grid.filter(grid.period_index >= grid.first_index)
    g = grid.left_join(agg, ["first_index", "period_index"]).drop("first_index_right", "period_index_right")
    zero = ibis.literal(0).cast(figures.revenue.type())
    g = g.mutate(active=g.active.fill_null(0), revenue=g.revenue.fill_null(zero))
    base = ibis.ifelse(g.period_index == g.first_index, g.revenue.cast("float64"), ibis.null("float64")).max().over(
        ibis.window(group_by=g.first_index))
    names = calendar.select(first_index="period_index", cohort="period")
    g = g.mutate(_base=base).join(names, "first_index")
    return g.order_by(["first_index", "period_index"]).select(
        "cohort", "period", periods_since=(g.period_index - g.first_index).cast("int64"), customers="customers",
        active="active", share_active=ratio(g.active, g.customers), revenue="revenue",
        revenue_index=ratio(g.revenue.cast("float64"), g._base), partial="partial")

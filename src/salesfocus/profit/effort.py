"""Effort versus value: do visits and sales hours go where the profit is?

"Does the customer visited every Friday afternoon really order that much?" Per customer this module
flags the *over-served* customers (visited often, but the profit does not pay for the visits) and the
*under-served* ones (top and large customers that hardly get a visit). Per account manager and per
pyramid level it sets visits and hours against the profit earned.

Visits and hours are counts over the whole analysed period; they are turned into a yearly rate with the
customer's years in the data, ``max(tenure_days, 365.25) / 365.25`` (as ``orders_per_year``). Without an
activities table every effort figure is NULL, never zero.
"""

from __future__ import annotations

import ibis

from salesfocus.config import PyramidConfig
from salesfocus.profit._columns import optional, ratio, require, years
from salesfocus.profit.pyramid import level_order

__all__ = ["effort_flags", "effort_table", "UNASSIGNED"]

UNASSIGNED = "(no account manager)"


def effort_flags(customers: ibis.Table, config: PyramidConfig, *, has_visits: bool = True) -> ibis.Table:
    """Per customer: ``visits_per_year, profit_per_visit, cost_per_visit, over_served, under_served``.

    With ``V`` visits, ``Y`` years in the data, ``P`` net profit and ``Cv`` the visit cost (``cost_visits``):

    - ``visits_per_year = V / Y``
    - ``profit_per_visit = P / V`` and ``cost_per_visit = Cv / V`` (NULL without visits)
    - ``over_served`` (the Friday-afternoon customer): ``V / Y >= friday_afternoon_visits`` and
      ``P / V < Cv / V``: each visit leaves less net profit than it costs (or the customer loses money),
      so the visits eat more than half of what the customer earns before them
    - ``under_served``: ``pyramid_level`` in ``under_served_levels`` (top, large) and
      ``V / Y < under_served_visits``

    ``has_visits=False`` (no visit activities in the data) or a missing ``visits`` column makes every
    column NULL: unknown, not "no visits".
    """
    require(customers, ("customer_id", "net_profit", "pyramid_level", "tenure_days"), "effort_flags")
    c = customers
    known = has_visits and "visits" in c.columns
    visits = c.visits.cast("float64") if known else ibis.null("float64")
    cost_visits = optional(c, "cost_visits") if known else ibis.null("float64")
    per_year = visits / years(c.tenure_days)
    profit_per_visit = ratio(c.net_profit, visits)
    cost_per_visit = ratio(cost_visits, visits)
    null_bool = ibis.null("boolean")
    over = ibis.cases(
        (per_year.isnull(), null_bool),
        (per_year < config.friday_afternoon_visits, False),
        else_=profit_per_visit < cost_per_visit,  # NULL when the profit is unknown
    )
    valuable = c.pyramid_level.isin(list(config.under_served_levels))
    under = ibis.cases((per_year.isnull(), null_bool), (valuable, per_year < config.under_served_visits),
                       else_=False)
    return c.select(
        "customer_id",
        visits_per_year=per_year,
        profit_per_visit=profit_per_visit,
        cost_per_visit=cost_per_visit,
        over_served=over if known else null_bool,
        under_served=under if known else null_bool,
    )


def effort_table(customers: ibis.Table, config: PyramidConfig) -> ibis.Table:
    """Visits and hours against profit, per account manager and per pyramid level (long format).

    Columns: ``dimension`` (``account_manager`` or ``pyramid_level``), ``group``, ``customers``,
    ``visits``, ``hours`` (all logged activity hours), ``revenue``, ``net_profit``, ``cost_visits``,
    ``profit_per_visit = net_profit / visits``, ``profit_per_hour = net_profit / hours``, shares of
    the dimension's total ``visits_share``, ``hours_share``, ``profit_share``, and the number of
    ``over_served`` and ``under_served`` customers. A customer's visits count for its account manager
    (from the customer master; customers without one under ``(no account manager)``). Without a
    customer master there are only pyramid-level rows; without activities the effort columns are NULL.
    """
    require(customers, ("customer_id", "pyramid_level", "revenue", "net_profit", "over_served", "under_served"),
            "effort_table")
    c = customers.mutate(
        _visits=optional(customers, "visits"),
        _hours=optional(customers, "activity_hours"),
        _cost_visits=optional(customers, "cost_visits"),
    )
    parts = [_effort_by(c, "pyramid_level", c.pyramid_level, level_order(c.pyramid_level, config))]
    if "account_manager" in c.columns:
        am = c.account_manager.fill_null(UNASSIGNED)
        parts.insert(0, _effort_by(c, "account_manager", am, ibis.literal(0)))
    out = ibis.union(*parts)
    return out.order_by(["dimension", "_sort", "group"]).drop("_sort")


def _effort_by(c: ibis.Table, dimension: str, key: ibis.Value, sort: ibis.Value) -> ibis.Table:
    t = c.mutate(group=key.cast("string"), _sort=sort.cast("int64"))
    g = t.group_by(["group", "_sort"]).aggregate(
        customers=t.count(),
        visits=t._visits.sum(),
        hours=t._hours.sum(),
        revenue=t.revenue.cast("float64").sum(),
        net_profit=t.net_profit.cast("float64").sum(),
        cost_visits=t._cost_visits.sum(),
        over_served=t.over_served.cast("int64").sum().cast("int64"),
        under_served=t.under_served.cast("int64").sum().cast("int64"),
    )
    total = ibis.window()
    return g.select(
        dimension=ibis.literal(dimension, "string"),
        group=g.group,
        _sort=g._sort,
        customers=g.customers,
        visits=g.visits,
        hours=g.hours,
        revenue=g.revenue,
        net_profit=g.net_profit,
        cost_visits=g.cost_visits,
        profit_per_visit=ratio(g.net_profit, g.visits),
        profit_per_hour=ratio(g.net_profit, g.hours),
        visits_share=ratio(g.visits, g.visits.sum().over(total)),
        hours_share=ratio(g.hours, g.hours.sum().over(total)),
        profit_share=ratio(g.net_profit, g.net_profit.sum().over(total)),
        over_served=g.over_served,
        under_served=g.under_served,
    )

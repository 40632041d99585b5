"""Per-customer measures from the order lines: what a customer buys, how often, since when.

Every function takes Ibis tables and returns an Ibis expression keyed by ``customer_id``; nothing
executes here. Money stays DECIMAL in the engine and is rounded only on output.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir

__all__ = ["orders", "customer_groups", "customer_products", "customer_totals", "customer_dates", "customer_measures",
           "customer_years", "DAYS_PER_YEAR"]

DAYS_PER_YEAR = 365.25


def _between(t: ibis.Table, col: str, start: dt.date | None, end: dt.date | None) -> ibis.Table:
    """Half-open period [start, end)."""
    if start is not None:
        t = t.filter(t[col] >= ibis.literal(start))
    if end is not None:
        t = t.filter(t[col] < ibis.literal(end))
    return t


# Sums of the compact tables as DECIMAL(18, 4), the order lines' own type: still exact, but stored in
# 64 bits. The engine's sum type (DECIMAL(38, 4)) is 128-bit and makes every later pass over these
# million-row tables several times slower. An order or a customer's product group above 10^14 (a hundred
# thousand billion) does not fit and stops the import with the engine's overflow error.
COMPACT_MONEY = "decimal(18, 4)"


def orders(order_lines: ibis.Table) -> ibis.Table:
    """One row per order: customer, date (first line), revenue, cost, lines; a credit order is a return.

    Keeping this table from import lets every later analysis count orders without re-counting
    distinct values over raw lines.
    """
    ol = order_lines
    return ol.group_by(["customer_id", "order_id"]).aggregate(
        order_date=ol.order_date.min(),
        revenue=ol.revenue.sum().cast(COMPACT_MONEY),
        cost=ol.cost.sum().cast(COMPACT_MONEY),
        cost_lines=ol.cost.count(),
        lines=ol.count(),
        # a COUNT is 64-bit; the engine's sum of booleans is 128-bit, which Ibis takes for int64 and leaves uncast
        # (that one column took 0.3 s to scan at 2M orders, the rest of the table 0.01 s)
        return_lines=ol.count(where=ol.is_return),
        return_value=ibis.ifelse(ol.is_return, -ol.revenue, 0).sum().cast(COMPACT_MONEY),
    )


def customer_groups(order_lines: ibis.Table) -> ibis.Table:
    """One row per customer and product group: revenue, cost, lines, first and last order.

    Built once from the lines; cross-selling, wallet gap and profiles read this instead of the lines.
    """
    ol = order_lines
    return ol.group_by(["customer_id", "product_group"]).aggregate(
        revenue=ol.revenue.sum().cast(COMPACT_MONEY),
        cost=ol.cost.sum().cast(COMPACT_MONEY),
        lines=ol.count(),
        first_order=ol.order_date.min(),
        last_order=ol.order_date.max(),
    )


def customer_products(order_lines: ibis.Table, *, start: dt.date | None = None, end: dt.date | None = None,
                      groups: ibis.Table | None = None) -> ibis.Table:
    """Distinct products and product groups per customer in [start, end): the only measures that need the lines.

    Built once at import (with ``orders`` and ``customer_groups``), so re-analysis never re-counts
    distinct values over the raw lines. ``groups``: the :func:`customer_groups` of the same lines and
    period, which already holds one row per customer and group.
    """
    ol = _between(order_lines, "order_date", start, end)
    # Distinct pairs, then a count: about half the work of COUNT(DISTINCT) per customer on millions of lines.
    pairs = ol.select("customer_id", "product_id").distinct()
    products = pairs.group_by("customer_id").aggregate(products=pairs.product_id.count())
    if groups is None:
        groups = ol.select("customer_id", "product_group").distinct()
    per_group = groups.group_by("customer_id").aggregate(product_groups=groups.product_group.count())
    return products.join(per_group, "customer_id")


def customer_totals(order_table: ibis.Table, products: ibis.Table, *, start: dt.date | None = None,
                    end: dt.date | None = None, has_cost: bool = True) -> ibis.Table:
    """Per customer in [start, end): money, counts, first and last order, products — all that does not
    depend on the analysis date. Built once at import; :func:`customer_dates` adds the rest per run."""
    od = _between(order_table, "order_date", start, end)
    per_order = od.group_by("customer_id").aggregate(
        revenue=od.revenue.sum(),
        cost_of_goods=od.cost.sum() if has_cost else ibis.null("decimal(38, 4)"),
        cost_coverage=(od.cost_lines.sum() / od.lines.sum()).cast("float64"),
        order_lines=od.lines.sum(),
        first_order=od.order_date.min(),
        last_order=od.order_date.max(),
        returns_lines=od.return_lines.sum(),
        returns_value=od.return_value.sum(),
        orders=(od.revenue >= 0).sum(),
        returns_count=(od.revenue < 0).sum(),
    )
    lines = products.select("customer_id", "products", "product_groups")
    return per_order.join(lines, "customer_id")


def customer_measures(order_table: ibis.Table, products: ibis.Table, as_of: dt.date, *,
                      start: dt.date | None = None, end: dt.date | None = None,
                      has_cost: bool = True) -> ibis.Table:
    """Revenue, margin, orders, lines, products, dates, recency, tenure, frequency and returns per customer.

    ``order_table`` is :func:`orders`, ``products`` is :func:`customer_products` of the same period.
    Formulas (period [start, end), ``as_of`` the analysis date):

    - ``gross_margin = revenue - cost`` (NULL when the data has no cost of goods), ``margin_pct`` = margin / revenue
    - ``orders``: orders whose total is not negative; a credit order counts under ``returns_count``
    - ``recency_days = as_of - last_order``; ``tenure_days = as_of - first_order``
    - ``orders_per_year = orders * 365.25 / max(tenure_days, 365.25)`` (a young customer is not extrapolated)
    - ``avg_order_value = revenue / orders``; ``returns_value``: credited revenue as a positive amount
    """
    totals = customer_totals(order_table, products, start=start, end=end, has_cost=has_cost)
    return customer_dates(totals, as_of, has_cost=has_cost)


def customer_dates(totals: ibis.Table, as_of: dt.date, *, has_cost: bool = True) -> ibis.Table:
    """:func:`customer_totals` with margin, recency, tenure and the rates of :func:`customer_measures`."""
    t = totals
    as_of_lit = ibis.literal(as_of)
    recency = as_of_lit.delta(t.last_order, unit="day")
    tenure = as_of_lit.delta(t.first_order, unit="day")
    revenue_f = t.revenue.cast("float64")
    margin = (t.revenue - t.cost_of_goods) if has_cost else ibis.null("decimal(38, 4)")
    return t.mutate(
        gross_margin=margin,
        margin_pct=_ratio(margin.cast("float64"), revenue_f),
        recency_days=recency,
        tenure_days=tenure,
        orders_per_year=t.orders.cast("float64") * DAYS_PER_YEAR
        / ibis.greatest(tenure.cast("float64"), ibis.literal(DAYS_PER_YEAR)),
        avg_order_value=_ratio(revenue_f, t.orders.cast("float64")),
    )


def _ratio(num: ir.FloatingValue, den: ir.FloatingValue) -> ir.FloatingValue:
    return ibis.ifelse(den == 0, ibis.null("float64"), num / den)


def customer_years(order_lines: ibis.Table, order_table: ibis.Table, *, has_cost: bool = True) -> ibis.Table:
    """Revenue, gross margin, orders and lines per customer per calendar year (long format)."""
    ol = order_lines.mutate(year=order_lines.order_date.year())
    od = order_table.mutate(year=order_table.order_date.year())
    a = ol.group_by(["customer_id", "year"]).aggregate(
        revenue=ol.revenue.sum(),
        gross_margin=(ol.revenue - ol.cost.fill_null(0)).sum() if has_cost else ibis.null("decimal(38, 4)"),
        order_lines=ol.count(),
    )
    b = od.group_by(["customer_id", "year"]).aggregate(orders=(od.revenue >= 0).sum())
    return a.join(b, ["customer_id", "year"]).order_by(["customer_id", "year"])

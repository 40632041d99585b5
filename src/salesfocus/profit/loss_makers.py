"""Loss-making customers and what would fix each: before ending a relationship, put a number on the options.

The method names four options besides saying goodbye: agree a minimum annual revenue, raise the margin
by changing the discount scheme, accept only orders above a minimum size, or charge an order fee. For
every customer with a negative net profit this module quantifies each option on the customer's own
figures, and shows what it brings in product groups few other customers buy (cross-selling value).

Cost-to-serve is split by what drives it (the components of :mod:`salesfocus.measures.cost_to_serve`):

- *per order* ``O``: ``cost_orders + cost_deliveries + cost_invoices`` (falls with fewer, larger orders);
- *volume* ``V``: ``O + cost_order_lines + cost_returns + cost_late_payment`` (grows with revenue at the
  customer's current order pattern);
- *relationship* ``F = C - V``: visits, calls, support, complaints, quotes, other (fixed per customer).

A component that is unknown (NULL) counts as zero here, as it does in ``cost_to_serve``; the run's notes
say which data would complete it.
"""

from __future__ import annotations

import ibis

from salesfocus.profit._columns import optional, ratio, require, years

__all__ = ["break_even", "cross_selling", "loss_makers", "ORDER_COSTS", "VOLUME_COSTS"]

ORDER_COSTS = ("cost_orders", "cost_deliveries", "cost_invoices")
VOLUME_COSTS = (*ORDER_COSTS, "cost_order_lines", "cost_returns", "cost_late_payment")
_NEEDED = ("customer_id", "revenue", "gross_margin", "cost_to_serve", "net_profit", "orders", "tenure_days")


def _sum(t: ibis.Table, cols: tuple[str, ...]) -> ibis.ir.FloatingValue:
    return sum((optional(t, c).fill_null(0.0) for c in cols), ibis.literal(0.0))


def break_even(customers: ibis.Table) -> ibis.Table:
    """Per customer, the four break-even options (all customers; the loss-makers are the ones that matter).

    With period totals ``R`` revenue, ``G`` gross margin, ``m = G / R``, ``N`` orders, ``C`` cost-to-serve,
    ``P = G - C`` net profit, ``O``/``V``/``F`` the per-order, volume and relationship costs (module
    docstring) and ``Y = max(tenure_days, 365.25) / 365.25`` years in the data:

    - ``min_order_size = R * (O / N) / (G - (C - O))``: the same revenue in fewer, larger orders of this
      size breaks even (``N' = R / s`` orders cost ``N' * O / N``). NULL when ``G <= C - O``: no order
      size helps, the other costs alone exceed the margin.
    - ``order_fee = max(-P, 0) / N``: a fee per order, at the current orders, that closes the gap.
    - ``price_increase_pct = max(-P, 0) / R``: less discount (higher prices) on the same volume;
      ``required_margin_pct = (G + max(-P, 0)) / (R + max(-P, 0))`` is the margin % after it and
      ``margin_pct_change = required_margin_pct - m`` the change in points (fractions).
    - ``min_annual_revenue = (F / Y) / (m - V / R)``: the yearly revenue at which margin minus volume
      costs covers the relationship costs, at the current margin and cost pattern; NULL when
      ``m <= V / R`` (every extra euro loses money). ``annual_revenue = R / Y`` for comparison.

    Every figure is NULL where the net profit is unknown (no cost of goods) or its denominator is zero.
    """
    require(customers, _NEEDED, "break_even")
    c = customers
    rev = c.revenue.cast("float64")
    gm = c.gross_margin.cast("float64")
    cts = c.cost_to_serve.cast("float64")
    n = c.orders.cast("float64")
    gap = ibis.greatest(-c.net_profit.cast("float64"), ibis.literal(0.0))
    gap = ibis.ifelse(c.net_profit.isnull(), ibis.null("float64"), gap)
    o = _sum(c, ORDER_COSTS)
    v = _sum(c, VOLUME_COSTS)
    f = cts - v
    y = years(c.tenure_days)
    m = ratio(gm, rev)
    headroom = gm - (cts - o)
    unit_margin = m - ratio(v, rev)
    rev_ok = rev > 0
    null = ibis.null("float64")
    return c.select(
        "customer_id",
        order_cost=o,
        volume_cost=v,
        relationship_cost=f,
        min_order_size=ibis.ifelse((headroom > 0) & (n > 0) & rev_ok, rev * ratio(o, n) / headroom, null),
        order_fee=ratio(gap, n),
        price_increase_pct=ibis.ifelse(rev_ok, gap / rev, null),
        required_margin_pct=ibis.ifelse(rev_ok, (gm + gap) / (rev + gap), null),
        margin_pct_change=ibis.ifelse(rev_ok, (gm + gap) / (rev + gap) - m, null),
        annual_revenue=rev / y,
        min_annual_revenue=ibis.ifelse(rev_ok & (unit_margin > 0), (f / y) / unit_margin, null),
    )


def cross_selling(order_lines: ibis.Table, *, max_share: float = 0.10,
                  customers: ibis.Table | None = None) -> ibis.Table:
    """Per customer and product group it buys that few customers buy: revenue and gross margin.

    A group is *rare* when the customers that bought it (net revenue > 0) are at most ``max_share`` of
    all customers in the order lines. Columns: ``customer_id, product_group, buyers, buyers_share,
    revenue, gross_margin`` (``revenue - cost``; NULL without cost of goods). Lines without a product
    group are left out. With ``customers`` (a table with ``customer_id``) only their rows are returned; the
    buyer counts still cover everyone.
    """
    require(order_lines, ("customer_id", "product_group", "revenue", "cost"), "cross_selling")
    ol = order_lines
    n_customers = ol.customer_id.nunique().as_scalar()
    lines = ol.filter(ol.product_group.notnull())
    if {"lines", "first_order"} <= set(ol.columns):  # customer_groups: already one row per customer and group
        cg = lines.select("customer_id", "product_group", revenue=lines.revenue.cast("float64"),
                          gross_margin=(lines.revenue - lines.cost).cast("float64"))
    else:
        cg = lines.group_by(["customer_id", "product_group"]).aggregate(
            revenue=lines.revenue.sum().cast("float64"),
            gross_margin=(lines.revenue.sum() - lines.cost.sum()).cast("float64"),
        )
    cg = cg.filter(cg.revenue > 0)
    per_group = cg.group_by("product_group").aggregate(buyers=cg.count().cast("int64"))
    per_group = per_group.mutate(buyers_share=per_group.buyers.cast("float64") / n_customers.cast("float64"))
    per_group = per_group.filter(per_group.buyers_share <= max_share)
    if customers is not None:  # the few asked for, not every customer x group row of the data
        cg = cg.semi_join(customers.select("customer_id").distinct(), "customer_id")
    rare = cg.join(per_group, "product_group")
    return rare.select("customer_id", "product_group", "buyers", "buyers_share", "revenue", "gross_margin").order_by(
        ["customer_id", ibis.desc("gross_margin"), "product_group"])


_CONTEXT = ("name", "account_manager", "pyramid_level", "status")
_FIGURES = ("revenue", "gross_margin", "margin_pct", "cost_to_serve", "net_profit", "orders", "avg_order_value")


def loss_makers(customers: ibis.Table, rare_groups: ibis.Table | None = None) -> ibis.Table:
    """One row per customer with ``net_profit < 0``: its figures, the four options and cross-selling value.

    Columns: ``customer_id``, the context columns present (``name, account_manager, pyramid_level,
    status``), ``revenue, gross_margin, margin_pct, cost_to_serve, net_profit, orders,
    avg_order_value``, the columns of :func:`break_even`, and from ``rare_groups`` (the output of
    :func:`cross_selling`) ``cross_sell_groups`` (group names, best margin first, ``"; "``-separated),
    ``cross_sell_revenue`` and ``cross_sell_margin`` (0 when it buys no rare group; NULL without order
    lines). Sorted on net profit (largest loss first), then ``customer_id``.
    """
    require(customers, _NEEDED, "loss_makers")
    c = customers.filter(customers.net_profit < 0)
    keep = [col for col in _CONTEXT if col in c.columns]
    figs = {col: optional(c, col) if col in ("margin_pct", "avg_order_value") else c[col] for col in _FIGURES}
    base = c.select("customer_id", *keep, **figs)
    out = base.join(break_even(c), "customer_id")
    if rare_groups is not None:
        r = rare_groups
        per = r.group_by("customer_id").aggregate(
            cross_sell_groups=r.product_group.group_concat("; ", order_by=[ibis.desc(r.gross_margin),
                                                                            r.product_group]),
            cross_sell_revenue=r.revenue.sum(),
            cross_sell_margin=r.gross_margin.sum(),
        )
        out = out.left_join(per, "customer_id").drop("customer_id_right")
        out = out.mutate(cross_sell_revenue=out.cross_sell_revenue.fill_null(0.0),
                         cross_sell_margin=ibis.ifelse(out.cross_sell_groups.isnull(), 0.0, out.cross_sell_margin))
    else:
        out = out.mutate(cross_sell_groups=ibis.null("string"), cross_sell_revenue=ibis.null("float64"),
                         cross_sell_margin=ibis.null("float64"))
    return out.order_by([out.net_profit, out.customer_id])

"""The whale curve and the 80/20 headline: which customers make the profit, and which eat it again?

Ranked on net customer profit, the cumulative profit rises above 100% of total profit (the profitable
customers earn more than the company keeps) and falls back to 100% as the loss-makers take their share:
the shape of a whale's back. Ranked on revenue, the same customers show the familiar 80/20 curve.

Both functions take the per-customer table (``customer_id``, ``revenue``, ``cost_to_serve``,
``net_profit``) and return Ibis expressions; nothing executes here. Ordering is deterministic: largest
first, ties broken on ``customer_id`` ascending. A customer whose net profit is unknown (no cost of
goods) has NULL in every profit column and is left out of the profit totals.
"""

from __future__ import annotations

import ibis

from salesfocus.profit._columns import ratio, require

__all__ = ["whale_curve", "headline", "profit_ranks", "HEAD_SHARE", "TAIL_SHARE"]

HEAD_SHARE = 0.2  # the "top 20% of customers" of top20_revenue_share
TAIL_SHARE = 0.2  # the "last 20% of revenue" of tail_cost_share
_NEEDED = ("customer_id", "revenue", "cost_to_serve", "net_profit")


def _profit_order(t: ibis.Table) -> list:
    return [t.net_profit.isnull(), ibis.desc(t.net_profit), t.customer_id]


def _revenue_order(t: ibis.Table) -> list:
    return [ibis.desc(t.revenue), t.customer_id]


def _base(customers: ibis.Table, what: str) -> ibis.Table:
    require(customers, _NEEDED, what)
    return customers.select(
        "customer_id", "revenue", cost_to_serve=customers.cost_to_serve.cast("float64"),
        net_profit=customers.net_profit.cast("float64"),
    )


def profit_ranks(customers: ibis.Table) -> ibis.Table:
    """``customer_id, profit_rank, loss_making``: 1 is the most profitable customer.

    ``profit_rank`` and ``loss_making`` (``net_profit < 0``) are NULL where the net profit is unknown.
    """
    require(customers, ("customer_id", "net_profit"), "profit_ranks")
    t = customers.select("customer_id", net_profit=customers.net_profit.cast("float64"))
    rank = (ibis.row_number().over(ibis.window(order_by=_profit_order(t))) + 1).cast("int64")
    return t.select(
        "customer_id",
        profit_rank=ibis.ifelse(t.net_profit.isnull(), ibis.null("int64"), rank),
        loss_making=t.net_profit < 0,
    )


def whale_curve(customers: ibis.Table) -> ibis.Table:
    """One row per rank: the whale curve (ranked on profit) beside the Pareto curve (ranked on revenue).

    With ``n`` customers, ``P`` total known net profit, ``R`` total revenue and ``C`` total cost-to-serve,
    row ``k`` (1..n) holds:

    - ``customer_share = k / n``
    - profit ranking: ``customer_id``, ``net_profit``, ``cum_profit`` = sum of the ``k`` largest profits,
      ``cum_profit_share = cum_profit / P`` (above 1 before the loss-makers, ending at exactly 1; NULL
      when ``P = 0``), ``cum_revenue_share_by_profit`` = revenue of those ``k`` customers / ``R``
    - revenue ranking: ``revenue_customer_id``, ``revenue``, ``cum_revenue_share`` = revenue of the ``k``
      largest customers / ``R`` (the Pareto curve), ``cum_cost_share`` = their cost-to-serve / ``C``

    Shares are fractions (0.8 = 80%). Customers of unknown profit take the last ranks of the profit
    ranking with NULL profit columns. When ``P <= 0`` the company loses money overall: the profit shares
    are still ``cum_profit / P`` but are no whale curve.
    """
    t = _base(customers, "whale_curve")
    everyone = ibis.window()
    pw = ibis.cumulative_window(order_by=_profit_order(t))
    unknown = t.net_profit.isnull()
    null = ibis.null("float64")
    by_profit = t.select(
        rank=ibis.row_number().over(pw) + 1,
        customer_id=t.customer_id,
        net_profit=t.net_profit,
        cum_profit=ibis.ifelse(unknown, null, t.net_profit.sum().over(pw)),
        cum_profit_share=ibis.ifelse(unknown, null, ratio(t.net_profit.sum().over(pw),
                                                          t.net_profit.sum().over(everyone))),
        cum_revenue_share_by_profit=ibis.ifelse(unknown, null, ratio(t.revenue.sum().over(pw),
                                                                     t.revenue.sum().over(everyone))),
    )
    rw = ibis.cumulative_window(order_by=_revenue_order(t))
    by_rev = t.select(
        rank=ibis.row_number().over(rw) + 1,
        customer_share=(ibis.row_number().over(rw) + 1).cast("float64") / t.count().over(everyone).cast("float64"),
        revenue_customer_id=t.customer_id,
        revenue=t.revenue,
        cum_revenue_share=ratio(t.revenue.sum().over(rw), t.revenue.sum().over(everyone)),
        cum_cost_share=ratio(t.cost_to_serve.sum().over(rw), t.cost_to_serve.sum().over(everyone)),
    )
    out = by_profit.join(by_rev, "rank")
    return out.select(
        "rank", "customer_share", "customer_id", "net_profit", "cum_profit", "cum_profit_share",
        "cum_revenue_share_by_profit", "revenue_customer_id", "revenue", "cum_revenue_share", "cum_cost_share",
    ).order_by("rank")


def headline(customers: ibis.Table, *, head_share: float = HEAD_SHARE, tail_share: float = TAIL_SHARE) -> ibis.Table:
    """The headline figures as a one-row table (fractions; money in the currency of the data).

    With customers ranked on revenue (largest first, ties on ``customer_id``), ``n`` customers, ``R`` total
    revenue, ``C`` total cost-to-serve and ``P`` total known net profit:

    - ``cost_to_serve = C``, ``net_profit = P`` (NULL when no customer's profit is known), ``revenue = R``
    - ``top20_revenue_share`` = revenue of the first ``round(head_share * n)`` customers / ``R``
    - ``tail_cost_share`` = cost-to-serve of the *tail* / ``C``, where the tail is every customer whose
      revenue ranked before it already reaches ``(1 - tail_share) * R``: the customers making the last 20%
      of revenue (the customer that crosses 80% belongs to the head)
    - ``whale_peak_share`` = max over k of (sum of the k largest profits) / ``P``; NULL when ``P <= 0``
    - ``loss_making_customers`` = count of ``net_profit < 0``; ``loss_making_share`` = that count / customers
      with a known profit; ``loss_making_total`` = sum of the negative net profits (a negative amount)
    """
    t = _base(customers, "headline")
    everyone = ibis.window()
    rw = ibis.cumulative_window(order_by=_revenue_order(t))
    pw = ibis.cumulative_window(order_by=_profit_order(t))
    cum_rev = t.revenue.sum().over(rw)
    r = t.mutate(
        _rev_rank=ibis.row_number().over(rw) + 1,
        _k=(t.count().over(everyone).cast("float64") * head_share).round().cast("int64"),
        _before_share=ratio(cum_rev - t.revenue, t.revenue.sum().over(everyone)),
        _cum_profit=ibis.ifelse(t.net_profit.isnull(), ibis.null("float64"), t.net_profit.sum().over(pw)),
    )
    tail = r._before_share >= (1.0 - tail_share)
    known = r.net_profit.count()
    total_profit = r.net_profit.sum()
    losers = (r.net_profit < 0).sum()
    null = ibis.null("float64")
    return r.aggregate(
        customers=r.count(),
        revenue=r.revenue.sum().cast("float64"),
        cost_to_serve=r.cost_to_serve.sum(),
        net_profit=total_profit,
        customers_with_profit=known,
        top20_revenue_share=ratio(r.revenue.sum(where=r._rev_rank <= r._k).fill_null(0), r.revenue.sum()),
        tail_cost_share=ratio(r.cost_to_serve.sum(where=tail).fill_null(0.0), r.cost_to_serve.sum()),
        whale_peak_share=ibis.ifelse(total_profit > 0, r._cum_profit.max() / total_profit, null),
        loss_making_customers=ibis.ifelse(known == 0, ibis.null("int64"), losers.cast("int64")),
        loss_making_share=ibis.ifelse(known == 0, null, losers.cast("float64") / known.cast("float64")),
        loss_making_total=ibis.ifelse(known == 0, null, r.net_profit.sum(where=r.net_profit < 0).fill_null(0.0)),
    )

"""Wallet gap: how much more a customer could buy, judged by what comparable customers buy.

A B2B customer's own history says little about its *wallet*: a small buyer may be a large company that buys
most of its needs elsewhere. Comparable customers — by default the same sector and size class — show what
is possible. Two measures per customer, both Ibis expressions (nothing executes here):

- ``peer_revenue``: the ``percentile`` (default 0.75) of the annual revenue of its peers, and
  ``wallet_gap = max(peer_revenue - own annual revenue, 0)``. Peers are the *buying* customers of the group
  (annual revenue > 0), the customer itself included when it buys. A group with fewer than ``min_peers``
  buying customers, or a customer with an empty peer column, gets no peer revenue (NULL): too few to judge.
  The percentile interpolates linearly between the ordered values (``quantile_cont``, NumPy's default).
- ``cross_sell_groups``: the product groups that at least ``min_share`` of its peers bought in the window
  and the customer did not, most widely bought first (ties by name), joined with ``"; "``; an empty text
  when there are none, NULL without a peer group.
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.types as ir

from salesfocus.errors import InputError

__all__ = ["peer_revenue", "cross_sell", "cross_sell_groups", "SEPARATOR"]

SEPARATOR = "; "


def _check(t: ibis.Table, columns: Sequence[str], who: str) -> None:
    missing = sorted(set(columns) - set(t.columns))
    if missing:
        raise InputError(f"{who} needs the column(s) {', '.join(missing)}; they are missing")


def _groups(customers: ibis.Table, peers: Sequence[str], revenue: str, min_peers: int,
            percentile: float | None = None) -> ibis.Table:
    """Per peer group: number of buying customers (and the revenue percentile); only groups >= min_peers."""
    buyers = customers.filter(customers[revenue].cast("float64") > 0, *[customers[p].notnull() for p in peers])
    aggs = {"peer_group_size": buyers.count()}
    if percentile is not None:
        aggs["peer_revenue"] = buyers[revenue].cast("float64").quantile(percentile)
    g = buyers.group_by(list(peers)).aggregate(**aggs)
    return g.filter(g.peer_group_size >= min_peers)


def peer_revenue(customers: ibis.Table, *, peers: Sequence[str] = ("sector", "size_class"),
                 revenue: str = "revenue_12m", percentile: float = 0.75, min_peers: int = 5) -> ibis.Table:
    """Peer revenue at a percentile and the wallet gap per customer (lazy).

    Parameters
    ----------
    customers
        One row per customer: ``customer_id``, the ``peers`` columns and the annual ``revenue`` column.
    peers
        Columns whose values define a peer group (at least one).
    revenue
        Annual revenue column (the customer's own; also the peers' distribution).
    percentile
        Between 0 and 1 (0.75: the upper quartile of the peers).
    min_peers
        Smallest number of buying customers in a group for a peer revenue.

    Returns
    -------
    ibis.Table
        ``customer_id, peer_group_size (int64), peer_revenue (float64), wallet_gap (float64)`` for every
        customer; NULL without a large enough peer group.

    Raises
    ------
    InputError
        A column is missing, ``peers`` is empty or ``percentile`` is outside (0, 1).
    """
    if not peers:
        raise InputError("peer_revenue: peers must name at least one customer column")
    if not 0 < percentile < 1:
        raise InputError(f"peer_revenue: percentile must be between 0 and 1, got {percentile!r}")
    _check(customers, ["customer_id", revenue, *peers], "peer_revenue")
    g = _groups(customers, peers, revenue, min_peers, percentile)
    c = customers.select("customer_id", *peers, _own=customers[revenue].cast("float64").fill_null(0.0))
    j = c.left_join(g, list(peers))
    # DuckDB's GREATEST skips NULLs, so an unknown peer revenue must stay NULL explicitly
    gap = ibis.ifelse(j.peer_revenue.isnull(), ibis.null("float64"), ibis.greatest(j.peer_revenue - j._own, 0.0))
    return j.select("customer_id", peer_group_size=j.peer_group_size.cast("int64"), peer_revenue=j.peer_revenue,
                    wallet_gap=gap)


def cross_sell(customers: ibis.Table, group_buys: ibis.Table, *, peers: Sequence[str] = ("sector", "size_class"),
               revenue: str = "revenue_12m", min_share: float = 0.5, min_peers: int = 5) -> ibis.Table:
    """Long table of cross-sell room: customer × product group its peers buy and it does not (lazy).

    Parameters
    ----------
    customers
        ``customer_id``, the ``peers`` columns and ``revenue`` (buying peers have revenue > 0).
    group_buys
        ``customer_id, product_group``: the groups each customer bought in the window (one row per pair;
        duplicates are ignored).
    min_share
        Share of the buying peers that bought the group (0.5: at least half of them).

    Returns
    -------
    ibis.Table
        ``customer_id, product_group, peer_share (float64), peer_buyers (int64)`` — only customers in a peer
        group of at least ``min_peers`` buying customers.
    """
    if not 0 < min_share <= 1:
        raise InputError(f"cross_sell: min_share must be in (0, 1], got {min_share!r}")
    _check(customers, ["customer_id", revenue, *peers], "cross_sell")
    _check(group_buys, ["customer_id", "product_group"], "cross_sell")
    gb = group_buys.filter(group_buys.product_group.notnull()).select("customer_id", "product_group").distinct()
    g = _groups(customers, peers, revenue, min_peers)
    buyers = customers.filter(customers[revenue].cast("float64") > 0).select("customer_id", *peers)
    bought = gb.join(buyers, "customer_id")
    share = bought.group_by([*peers, "product_group"]).aggregate(peer_buyers=bought.customer_id.nunique())
    share = share.join(g, list(peers))
    share = share.mutate(peer_share=share.peer_buyers.cast("float64") / share.peer_group_size.cast("float64"))
    popular = share.filter(share.peer_share >= min_share)
    members = customers.select("customer_id", *peers)
    cand = members.join(popular, list(peers))
    missing = cand.anti_join(gb, ["customer_id", "product_group"])
    return missing.select("customer_id", "product_group", peer_share=missing.peer_share,
                          peer_buyers=missing.peer_buyers.cast("int64"))


def cross_sell_groups(customers: ibis.Table, group_buys: ibis.Table, *,
                      peers: Sequence[str] = ("sector", "size_class"), revenue: str = "revenue_12m",
                      min_share: float = 0.5, min_peers: int = 5, long: ibis.Table | None = None) -> ibis.Table:
    """Per customer the cross-sell groups as one text, most widely bought by peers first (lazy).

    ``long``: the table :func:`cross_sell` gives for the same arguments, when it is already at hand (a run keeps
    it as a table: computed again here it cost 0.9 s at 200,000 customers).

    Returns
    -------
    ibis.Table
        ``customer_id, cross_sell_groups (string), cross_sell_count (int64)`` for every customer: ``""`` and 0
        when its peers buy nothing it lacks, NULL when it has no peer group of at least ``min_peers``.
    """
    if long is None:
        long = cross_sell(customers, group_buys, peers=peers, revenue=revenue, min_share=min_share,
                          min_peers=min_peers)
    # widest bought first, then by name: each customer's (−share, group) pairs sorted as a list (an ordered
    # GROUP_CONCAT sorts group by group: 0.9 s against 0.15 s for 417,000 pairs of 200,000 customers)
    pairs = ibis.struct({"k": -long.peer_share.cast("float64"), "g": long.product_group})
    per = long.group_by("customer_id").aggregate(
        _groups=pairs.collect().sort().map(lambda p: p.g).join(SEPARATOR), _n=long.count())
    g = _groups(customers, peers, revenue, min_peers)
    c = customers.select("customer_id", *peers).left_join(g, list(peers))
    c = c.select("customer_id", _in_group=c.peer_group_size.notnull())
    j = c.left_join(per, "customer_id")
    text: ir.StringValue = ibis.ifelse(j._in_group, j._groups.fill_null(""), ibis.null("string"))
    count = ibis.ifelse(j._in_group, j._n.fill_null(0).cast("int64"), ibis.null("int64"))
    return j.select("customer_id", cross_sell_groups=text, cross_sell_count=count)

"""What happened around each customer's key dates: the year before now, the first two years, the last year.

Retention, the new-customer alarm and "why customers leave" all need a customer's behaviour in a window
of its own. :func:`customer_windows` sets the windows from the per-customer table (pandas, small),
and :func:`window_measures` counts orders, revenue, margin, returns, complaints, tickets and late invoices
inside them with one aggregation per source table (Ibis; the windows travel as a memtable, so the
aggregation runs on the engine where the order lines live).

Windows (dates, ``as_of`` the analysis date; every window is half-open ``(start, end]``):

- ``prev``: the year before last, ``(as_of - 730, as_of - 365]``; ``last``: ``(as_of - 365, as_of]``;
- ``y1``: the first year ``[first_order, first_order + 365)``; ``y2``: the second year;
- ``w``: the customer's last year, ``(end - 365, end]`` with ``end`` its last order for a customer that is
  not active (a leaver) and ``as_of`` for an active one; ``wp``: the year before ``w``.
"""

from __future__ import annotations

import datetime as dt

import ibis
import pandas as pd
import pyarrow as pa

from salesfocus.measures import exact_sum, orders
from salesfocus.measures.activity import normalise_activity_type

__all__ = ["customer_windows", "window_dates", "window_measures", "YEAR"]

YEAR = dt.timedelta(days=365)


def customer_windows(customers: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Window dates per customer from ``customer_id, first_order, last_order, status``.

    Returns ``customer_id, first_order, end, w_start, wp_start, y1_end, y2_end`` (dates).
    """
    c = customers[["customer_id", "first_order", "last_order", "status"]].copy()
    first = pd.to_datetime(c.first_order)
    last = pd.to_datetime(c.last_order)
    end = last.where(c.status.astype("string").fillna("") != "active", pd.Timestamp(as_of))
    end = end.fillna(pd.Timestamp(as_of))
    out = pd.DataFrame({
        "customer_id": c.customer_id.astype(str),
        "first_order": first.dt.date,
        "end": end.dt.date,
        "w_start": (end - YEAR).dt.date,
        "wp_start": (end - 2 * YEAR).dt.date,
        "y1_end": (first + YEAR).dt.date,
        "y2_end": (first + 2 * YEAR).dt.date,
    })
    return out


def window_dates(customers: ibis.Table, as_of: dt.date) -> ibis.Table:
    """:func:`customer_windows` as an Ibis expression, on the engine: ``customers`` plus ``end, w_start,
    wp_start, y1_end, y2_end`` (dates); every other column passes through."""
    c = customers
    first, last = c.first_order.cast("date"), c.last_order.cast("date")
    asof = ibis.literal(as_of)
    end = ibis.ifelse(c.status.cast("string").fill_null("") != "active", last.fill_null(asof), asof)
    days = lambda n: ibis.interval(days=n)  # noqa: E731
    return c.mutate(end=end, w_start=(end - days(365)).cast("date"), wp_start=(end - days(730)).cast("date"),
                    y1_end=(first + days(365)).cast("date"), y2_end=(first + days(730)).cast("date"))


def _in(d: ibis.Value, lo: ibis.Value, hi: ibis.Value) -> ibis.Value:
    return (d > lo) & (d <= hi)


def _count(t: ibis.Table, cond: ibis.Value) -> ibis.Value:
    """Rows where ``cond`` holds, NULL where it is NULL on every row: the sum of the booleans, but 64-bit (the
    engine sums them in 128 bits, which is slower and reads back as a decimal)."""
    return ibis.ifelse(cond.count() > 0, t.count(where=cond), ibis.null("int64"))


def window_measures(windows: pd.DataFrame | ibis.Table, as_of: dt.date, *, order_lines: ibis.Table | None = None,
                    activities: ibis.Table | None = None, invoices: ibis.Table | None = None,
                    order_table: ibis.Table | None = None, keep: tuple[str, ...] = ()) -> ibis.Table:
    """Per-customer counts in the windows of :func:`customer_windows` (an Ibis expression).

    Orders come from :func:`salesfocus.measures.orders` (one row per order; an order whose total is negative
    is a credit, not an order, as in the per-customer measures). Columns: ``orders_prev, orders_last``
    (orders in the year before last / the last year), ``revenue_y1, revenue_y2``, ``w_orders, wp_orders``,
    ``w_returns`` (orders with a credit line), ``w_revenue, w_cost, wp_revenue, wp_cost`` (over orders whose
    every line carries a cost), and with the optional tables ``w_complaints, w_tickets`` and
    ``w_invoices, w_late_invoices`` (paid after the due date, or still open past it at the window end).
    Pass ``order_table`` (the orders the run already made from the order lines) to skip that step.
    ``windows`` may be the frame of :func:`customer_windows` or the expression of :func:`window_dates`;
    ``keep`` names columns of it to carry through to the result (so that no join back is needed).
    """
    w = windows if isinstance(windows, ibis.Table) else ibis.memtable(pa.Table.from_pandas(windows,
                                                                                           preserve_index=False))
    carried = w.select("customer_id", *keep)
    w = w.select("customer_id", "first_order", "end", "w_start", "wp_start", "y1_end", "y2_end")
    asof = ibis.literal(as_of)
    lo_prev, lo_last = ibis.literal(as_of - 2 * YEAR), ibis.literal(as_of - YEAR)
    od = order_table if order_table is not None else orders(order_lines)
    j = od.join(w, "customer_id")
    d = j.order_date
    sale = j.revenue >= 0
    costed = j.cost_lines == j.lines
    in_w, in_wp = _in(d, j.w_start, j.end), _in(d, j.wp_start, j.w_start)
    # counts as COUNT(*) FILTER: 64-bit, where a sum of booleans is the engine's slower 128-bit sum (the NULL
    # of a customer with no countable order is filled with 0 below either way)
    agg = j.group_by("customer_id").aggregate(
        orders_prev=j.count(where=_in(d, lo_prev, lo_last) & sale),
        orders_last=j.count(where=_in(d, lo_last, asof) & sale),
        # money added up as decimals: a float sum differed between runs in the 13th digit
        revenue_y1=exact_sum(j.revenue, where=(d >= j.first_order) & (d < j.y1_end)),
        revenue_y2=exact_sum(j.revenue, where=(d >= j.y1_end) & (d < j.y2_end)),
        w_orders=j.count(where=in_w & sale),
        wp_orders=j.count(where=in_wp & sale),
        w_returns=j.count(where=in_w & (j.return_lines > 0)),
        w_revenue=exact_sum(j.revenue, where=in_w & costed),
        w_cost=exact_sum(j.cost, where=in_w & costed),
        wp_revenue=exact_sum(j.revenue, where=in_wp & costed),
        wp_cost=exact_sum(j.cost, where=in_wp & costed),
    )
    out = carried.left_join(agg, "customer_id").drop("customer_id_right")
    if activities is not None:
        # only complaints and tickets are counted: the other activities (most of them) are not joined at all
        a = activities.mutate(_type=normalise_activity_type(activities.activity_type))
        a = a.filter(a._type.isin(["complaint", "support_ticket"])).join(w, "customer_id")
        typ = a._type
        n = a.quantity.fill_null(1.0)
        aw = _in(a.activity_date, a.w_start, a.end)
        acts = a.group_by("customer_id").aggregate(
            w_complaints=n.sum(where=aw & (typ == "complaint")),
            w_tickets=n.sum(where=aw & (typ == "support_ticket")),
        )
        out = out.left_join(acts, "customer_id").drop("customer_id_right")
        out = out.mutate(w_complaints=out.w_complaints.fill_null(0.0), w_tickets=out.w_tickets.fill_null(0.0))
    if invoices is not None:
        v = invoices.join(w, "customer_id")
        vw = _in(v.invoice_date, v.w_start, v.end)
        settled = v.paid_date.fill_null(v.end)
        late = v.due_date.notnull() & (settled > v.due_date) & (v.amount > 0)
        inv = v.group_by("customer_id").aggregate(
            w_invoices=_count(v, vw & (v.amount > 0)),
            w_late_invoices=_count(v, vw & late),
        )
        out = out.left_join(inv, "customer_id").drop("customer_id_right")
    zero = ("orders_prev", "orders_last", "w_orders", "wp_orders", "w_returns")
    return out.mutate(**{c: out[c].fill_null(0) for c in zero},
                      revenue_y1=out.revenue_y1.fill_null(0.0), revenue_y2=out.revenue_y2.fill_null(0.0))

"""Everything the prediction analysis reads from the orders, per customer, in one scan (lazy).

The analysis needs, per customer and up to the as-of date: the RFM summary the models are fitted on
(:func:`~salesfocus.predict.rfm.rfm_table`), the same summary up to the backtest's calibration end with the purchase
days of the holdout after it (:func:`~salesfocus.predict.backtest.holdout_frame`), and the recent revenue and order
counts of the at-risk list (:func:`~salesfocus.predict.at_risk.recent_history`). Each of those is a grouping of the
orders by customer and day; asked separately they were four scans and groupings of the orders (10M lines, 1M
orders: about 0.35 CPU-s each). Here the orders are grouped by customer and day once, and every figure is a filtered
aggregate of those days — the same definitions, the same values.
"""

from __future__ import annotations

import datetime as _dt

import ibis
import ibis.expr.types as ir

from salesfocus.errors import InputError
from salesfocus.predict.at_risk import months_before
from salesfocus.predict.rfm import _as_date, days_per_unit

__all__ = ["customer_history"]


def customer_history(
    orders: ir.Table,
    *,
    as_of: _dt.date,
    calibration_end: _dt.date | None = None,
    time_unit: str = "week",
    recent_months: int = 6,
    before_months: int = 12,
    one_row_per_order: bool = True,
) -> ir.Table:
    """Per customer with an order (or credit) up to ``as_of``: history, RFM summary and the backtest split (lazy).

    Parameters
    ----------
    orders
        ``customer_id, order_id, order_date, revenue`` and optionally ``is_return``: one row per order (the run's
        ``orders`` table) or per order line. A purchase is a row with revenue >= 0 that is not a return.
    as_of
        End of the data the models see (inclusive).
    calibration_end
        The backtest's calibration end (before ``as_of``), or None (no ``*_cal`` / holdout columns).
    one_row_per_order
        Whether each row is a distinct order of its customer (the run's ``orders`` table): the order counts are
        then counts of rows; otherwise distinct order ids, counted over the rows.

    Returns
    -------
    ibis.Table
        ``customer_id``; ``revenue_12m, orders_recent, orders_before`` as
        :func:`~salesfocus.predict.at_risk.recent_history`; ``purchase_days`` (0: only returns or credits) and
        ``frequency, recency, T, monetary_value`` as :func:`~salesfocus.predict.rfm.rfm_table` at ``as_of`` (NULL or
        -1 where ``purchase_days`` is 0); with a calibration end also ``frequency_cal, recency_cal, T_cal``
        (:func:`rfm_table` at ``calibration_end``) and ``holdout_frequency`` (purchase days after it, as
        :func:`~salesfocus.predict.rfm.holdout_orders`), NULL or -1 for customers first buying after it. Not executed.
    """
    missing = sorted({"customer_id", "order_id", "order_date", "revenue"} - set(orders.columns))
    if missing:
        raise InputError(f"customer_history needs the orders column(s) {', '.join(missing)}")
    end = _as_date(as_of, "as_of")
    scale = days_per_unit(time_unit)
    ol = orders.filter(orders.customer_id.notnull(), orders.order_date <= ibis.date(end))
    buy = ol.revenue >= 0
    if "is_return" in ol.columns:
        buy = buy & ~ol.is_return.fill_null(False)
    # money summed exactly (decimals), then as floats: a float sum depends on the order the engine adds in, and the
    # peers' potential read from the revenue of the last 12 months came out €23,047 in one run, €23,048 in the next
    value = ol.revenue if ol.revenue.type().is_decimal() else ol.revenue.cast("float64")
    day_aggs = {"buys": ol.count(where=buy), "day_value": value.sum(where=buy), "day_revenue": value.sum()}
    if one_row_per_order:
        day_aggs["day_orders"] = ol.order_id.count(where=buy)
    days = ol.group_by(["customer_id", "order_date"]).aggregate(**day_aggs)

    d, bought = days.order_date, days.buys > 0
    year = ibis.date(months_before(end, 12))
    mid = ibis.date(months_before(end, recent_months))
    start = ibis.date(months_before(end, recent_months + before_months))
    aggs = {
        "revenue_12m": days.day_revenue.sum(where=d > year).cast("float64").fill_null(0.0),
        "purchase_days": days.count(where=bought),
        "first_day": d.min(where=bought),
        "last_day": d.max(where=bought),
        "total_value": days.day_value.sum(where=bought),
        "first_value": days.day_value.argmin(d, where=bought),
    }
    if one_row_per_order:
        aggs["orders_recent"] = days.day_orders.sum(where=d > mid).fill_null(0).cast("int64")
        aggs["orders_before"] = days.day_orders.sum(where=(d > start) & (d <= mid)).fill_null(0).cast("int64")
    if calibration_end is not None:
        cal = ibis.date(_as_date(calibration_end, "calibration_end"))
        aggs["days_cal"] = days.count(where=bought & (d <= cal))
        aggs["last_day_cal"] = d.max(where=bought & (d <= cal))
        aggs["holdout_frequency"] = days.count(where=bought & (d > cal))
    per = days.group_by("customer_id").aggregate(**aggs)
    if not one_row_per_order:
        d = ol.order_date
        counts = ol.group_by("customer_id").aggregate(
            orders_recent=ol.order_id.nunique(where=buy & (d > mid)).cast("int64"),
            orders_before=ol.order_id.nunique(where=buy & (d > start) & (d <= mid)).cast("int64"),
        )
        per = per.join(counts, "customer_id")

    # The same expressions as rfm_table, so the same values.
    frequency = (per.purchase_days - 1).cast("int64")
    repeat_value = (per.total_value - per.first_value).cast("float64")
    cols = {
        "customer_id": per.customer_id,
        "revenue_12m": per.revenue_12m,
        "orders_recent": per.orders_recent,
        "orders_before": per.orders_before,
        "purchase_days": per.purchase_days,
        "frequency": frequency,
        "recency": per.last_day.delta(per.first_day, unit="day").cast("float64") / scale,
        "T": ibis.date(end).delta(per.first_day, unit="day").cast("float64") / scale,
        "monetary_value": ibis.ifelse(frequency > 0, repeat_value / frequency.cast("float64"),
                                      ibis.literal(0.0, "float64")).cast("float64"),
    }
    if calibration_end is not None:
        cols |= {
            "frequency_cal": (per.days_cal - 1).cast("int64"),
            "recency_cal": per.last_day_cal.delta(per.first_day, unit="day").cast("float64") / scale,
            "T_cal": cal.delta(per.first_day, unit="day").cast("float64") / scale,
            "holdout_frequency": per.holdout_frequency.cast("int64"),
        }
    return per.select(**cols)

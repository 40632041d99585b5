"""At-risk list: which valuable customers are slipping away, and how much revenue a year is at stake.

The A/B/C method asks to *retain* the customers that matter. A customer is **at risk** when it is valuable
and at least one warning sign is on:

- **valuable**: its pyramid level is one of ``valuable_levels`` (default top and large) when the run has a
  pyramid; otherwise it is among the top ``valuable_share`` (20 %) of buying customers by annual revenue
  (ties broken on ``customer_id``);
- **low P(active)**: the repeat-purchase model gives ``p_active < p_threshold`` (default 0.5);
- **falling order rate**: its order rate in the last ``recent_months`` is at most ``rate_drop`` times its
  rate in the ``before_months`` before that, ``(orders_recent / recent_months) / (orders_before /
  before_months) <= rate_drop``, judged only with at least ``min_orders_before`` orders before.

``value_at_risk = revenue_12m × risk``: the revenue of the last 12 months weighted by the chance it is lost,
``risk = 1 − p_active``; without a model, ``risk = 1 − min(rate_ratio, 1)`` (the share of the order rate
that disappeared). CLV is not used here because it already discounts for P(active): CLV × (1 − p) would
count the risk twice. The list is ranked by ``value_at_risk`` (highest first; ties by ``customer_id``).

Orders are distinct order ids of purchases (credit notes and returns left out) in half-open windows
ending on the as-of date: recent ``(as_of − recent_months, as_of]``, before ``(as_of − recent − before,
as_of − recent]``.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence

import ibis
import ibis.expr.types as ir

from salesfocus.errors import InputError

__all__ = ["months_before", "recent_history", "risk_flags", "at_risk_table"]

_SHOW = ("name", "account_manager", "pyramid_level", "status")


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months earlier (clipped to the month's last day)."""
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    return dt.date(y, m + 1, min(day.day, calendar.monthrange(y, m + 1)[1]))


def recent_history(order_lines: ibis.Table, as_of: dt.date, *, recent_months: int = 6,
                   before_months: int = 12) -> ibis.Table:
    """Per customer: revenue of the last 12 months and orders in the recent and the earlier window (lazy).

    Parameters
    ----------
    order_lines
        One row per order (the run's ``orders`` table) or per order line: ``customer_id, order_id, order_date,
        revenue`` and optionally ``is_return``. A row with a negative total (a credit note) or flagged as a
        return is not an order; its revenue does count in ``revenue_12m``, which is net.

    Returns
    -------
    ibis.Table
        ``customer_id, revenue_12m (float64), orders_recent (int64), orders_before (int64)`` for customers with
        an order line on or before ``as_of``.
    """
    missing = sorted({"customer_id", "order_id", "order_date", "revenue"} - set(order_lines.columns))
    if missing:
        raise InputError(f"recent_history needs the order_lines column(s) {', '.join(missing)}")
    ol = order_lines.filter(order_lines.customer_id.notnull(), order_lines.order_date <= ibis.literal(as_of))
    year = ibis.literal(months_before(as_of, 12))
    mid = ibis.literal(months_before(as_of, recent_months))
    start = ibis.literal(months_before(as_of, recent_months + before_months))
    buy = ol.revenue >= 0
    if "is_return" in ol.columns:
        buy = buy & ~ol.is_return.fill_null(False)
    d = ol.order_date
    return ol.group_by("customer_id").aggregate(
        revenue_12m=ol.revenue.sum(where=d > year).cast("float64").fill_null(0.0),  # exact, as in history.py
        orders_recent=ol.order_id.nunique(where=buy & (d > mid)).cast("int64"),
        orders_before=ol.order_id.nunique(where=buy & (d > start) & (d <= mid)).cast("int64"),
    )


def risk_flags(t: ibis.Table, *, valuable_levels: Sequence[str] = ("top", "large"), valuable_share: float = 0.2,
               p_threshold: float = 0.5, rate_drop: float = 0.5, min_orders_before: int = 3,
               recent_months: int = 6, before_months: int = 12) -> ibis.Table:
    """Per customer: valuable, the warning signs, ``value_at_risk`` and ``at_risk`` (lazy).

    Parameters
    ----------
    t
        One row per customer: ``customer_id, revenue_12m, orders_recent, orders_before, p_active`` (NULL where
        unknown) and optionally ``pyramid_level``.

    Returns
    -------
    ibis.Table
        ``t`` plus ``valuable, rate_ratio, low_p_active, rate_falling, value_at_risk, at_risk``.
    """
    need = ["customer_id", "revenue_12m", "orders_recent", "orders_before", "p_active"]
    missing = sorted(set(need) - set(t.columns))
    if missing:
        raise InputError(f"risk_flags needs the column(s) {', '.join(missing)}; they are missing")
    rev = t.revenue_12m.cast("float64").fill_null(0.0)
    if "pyramid_level" in t.columns:
        valuable = t.pyramid_level.isin(list(valuable_levels)).fill_null(False)
    else:
        rn = ibis.row_number().over(order_by=[ibis.desc(rev), t.customer_id])
        n_buyers = ibis.ifelse(rev > 0, 1, 0).sum().over()
        valuable = (rev > 0) & (rn < (n_buyers.cast("float64") * valuable_share).ceil())
    before = t.orders_before.cast("float64")
    ratio = ibis.ifelse(
        t.orders_before >= min_orders_before,
        (t.orders_recent.cast("float64") / recent_months) / (before / before_months),
        ibis.null("float64"),
    )
    p = t.p_active.cast("float64")
    low_p = (p < p_threshold).fill_null(False)
    falling = (ratio <= rate_drop).fill_null(False)
    lost_rate = ibis.ifelse(ratio.isnull(), ibis.null("float64"), 1.0 - ibis.least(ratio, 1.0))  # LEAST skips NULL
    risk = ibis.coalesce(1.0 - p, lost_rate)
    out = t.mutate(valuable=valuable, rate_ratio=ratio, low_p_active=low_p, rate_falling=falling)
    # in cents, so that equal amounts tie exactly and the ranking falls back to customer_id
    return out.mutate(value_at_risk=(rev * risk).round(2),
                      at_risk=out.valuable & (out.low_p_active | out.rate_falling))


def _reason(t: ibis.Table, p_threshold: float, recent_months: int, before_months: int) -> ir.StringValue:
    p_txt = "P(active) " + t.p_active.round(2).cast("string") + f" < {p_threshold:g}"
    rate_txt = (t.orders_recent.cast("string") + f" order(s) in the last {recent_months} months vs "
                + t.orders_before.cast("string") + f" in the {before_months} months before")
    both = ibis.ifelse(t.low_p_active & t.rate_falling, p_txt + "; " + rate_txt,
                       ibis.ifelse(t.low_p_active, p_txt, rate_txt))
    return both


def at_risk_table(flags: ibis.Table, *, p_threshold: float = 0.5, recent_months: int = 6,
                  before_months: int = 12) -> ibis.Table:
    """The at-risk customers of :func:`risk_flags`, ranked by value at risk (lazy).

    Returns
    -------
    ibis.Table
        ``at_risk_rank`` (1 = most revenue at stake), ``customer_id``, ``name, account_manager,
        pyramid_level, status`` where known, ``revenue_12m, p_active, orders_before, orders_recent,
        rate_ratio, clv`` (if present), ``value_at_risk, reason``.
    """
    t = flags.filter(flags.at_risk)
    t = t.mutate(reason=_reason(t, p_threshold, recent_months, before_months))
    rank = ibis.row_number().over(order_by=[ibis.desc(t.value_at_risk.fill_null(0.0)), t.customer_id]) + 1
    cols = ["customer_id", *[c for c in _SHOW if c in t.columns], "revenue_12m", "p_active", "orders_before",
            "orders_recent", "rate_ratio", *[c for c in ("clv",) if c in t.columns], "value_at_risk", "reason"]
    t = t.mutate(at_risk_rank=rank.cast("int64"))
    return t.select("at_risk_rank", *cols).order_by("at_risk_rank")

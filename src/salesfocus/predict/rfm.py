"""RFM summary for repeat-purchase models: frequency, recency, T and monetary value per customer.

The probability models (BG/NBD, Gamma-Gamma) do not read order lines; they read, per customer, how many
*repeat* purchase days there were in the calibration period, when the last one was and how long the
customer has been watched. This module turns order lines into that summary as a lazy Ibis expression,
so the work runs in the engine (DuckDB locally, Spark on a cluster) and nothing is executed here.

Conventions (those of Fader, Hardie & Lee 2005, ``lifetimes`` and ``pymc-marketing``):

- A *purchase* is a distinct purchase **day** of the customer: several orders or lines on one day count once.
- ``frequency`` = distinct purchase days up to and including ``calibration_end`` minus one (repeat purchases).
- ``recency``   = time from the first to the last purchase day, in time units (0 when frequency is 0).
- ``T``         = time from the first purchase day to ``calibration_end``, in time units.
- ``monetary_value`` = value summed per purchase day, then averaged over the days after the first
  (the repeat purchases); 0 when frequency is 0.

Time units: ``"day"`` (whole days) or ``"week"`` (days / 7).
"""

from __future__ import annotations

import datetime as _dt

import ibis
import ibis.expr.types as ir

from salesfocus.errors import InputError

__all__ = ["TIME_UNITS", "rfm_table", "holdout_orders", "days_per_unit"]

TIME_UNITS: dict[str, float] = {"day": 1.0, "week": 7.0}


def days_per_unit(time_unit: str) -> float:
    """Number of days in one model time unit (``"day"`` → 1, ``"week"`` → 7)."""
    try:
        return TIME_UNITS[time_unit]
    except KeyError:
        raise InputError(f"time_unit must be one of {sorted(TIME_UNITS)}, got {time_unit!r}") from None


def _check_table(order_lines: object, needed: list[str]) -> ir.Table:
    if not isinstance(order_lines, ir.Table):
        raise InputError(f"order_lines must be an ibis Table, got {type(order_lines).__name__}")
    missing = sorted(set(needed) - set(order_lines.columns))
    if missing:
        raise InputError(f"order_lines is missing required column(s): {', '.join(missing)}")
    if not order_lines.schema()["order_date"].is_date():
        raise InputError(f"order_lines.order_date must be a date column, got {order_lines.schema()['order_date']}")
    return order_lines


def _as_date(value: object, name: str) -> _dt.date:
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str):
        try:
            return _dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise InputError(f"{name} must be a date (or ISO 'YYYY-MM-DD' string), got {value!r}")


def _purchase_days(order_lines: ir.Table, value_column: str | None) -> ir.Table:
    """One row per (customer, purchase day), with the day's summed value if a value column is given."""
    lines = order_lines.filter(order_lines.customer_id.notnull(), order_lines.order_date.notnull())
    aggs = {}
    if value_column is not None:
        v = lines[value_column]  # decimals summed exactly, as in predict.history (a float sum depends on the order)
        aggs["day_value"] = v.sum() if v.type().is_decimal() else v.cast("float64").sum()
    else:
        aggs["n_lines"] = lines.count()
    return lines.group_by(["customer_id", "order_date"]).aggregate(**aggs)


def rfm_table(
    order_lines: ir.Table,
    *,
    calibration_end: _dt.date | str,
    time_unit: str = "week",
    value_column: str = "revenue",
) -> ir.Table:
    """Per-customer frequency, recency, T and monetary value up to ``calibration_end`` (lazy).

    Parameters
    ----------
    order_lines
        Ibis table with ``customer_id`` (string), ``order_date`` (date) and ``value_column``
        (decimal or float). Other columns are ignored. Rows after ``calibration_end`` are ignored.
    calibration_end
        Last day of the calibration period (inclusive).
    time_unit
        ``"day"`` or ``"week"``; recency and T are expressed in it.
    value_column
        Column whose per-day sum is the purchase value.

    Returns
    -------
    ibis.Table
        ``customer_id, frequency (int64), recency, T, monetary_value (float64)`` — one row per customer
        with at least one purchase day on or before ``calibration_end``. Not executed.
    """
    _check_table(order_lines, ["customer_id", "order_date", value_column])
    end = _as_date(calibration_end, "calibration_end")
    scale = days_per_unit(time_unit)

    lines = order_lines.filter(order_lines.order_date <= ibis.date(end))
    days = _purchase_days(lines, value_column)
    # One row per purchase day, so the first day's value is well defined: arg_min (DuckDB) / min_by (Spark).
    per = days.group_by("customer_id").aggregate(
        n_days=days.count(),
        first_day=days.order_date.min(),
        last_day=days.order_date.max(),
        total_value=days.day_value.sum(),
        first_value=days.day_value.argmin(days.order_date),
    )
    frequency = (per.n_days - 1).cast("int64")
    recency_days = per.last_day.delta(per.first_day, unit="day").cast("float64")
    t_days = ibis.date(end).delta(per.first_day, unit="day").cast("float64")
    repeat_value = (per.total_value - per.first_value).cast("float64")
    monetary = ibis.ifelse(frequency > 0, repeat_value / frequency.cast("float64"), ibis.literal(0.0, "float64"))
    return per.select(
        customer_id=per.customer_id,
        frequency=frequency,
        recency=recency_days / scale,
        T=t_days / scale,
        monetary_value=monetary.cast("float64"),
    )


def holdout_orders(
    order_lines: ir.Table,
    calibration_end: _dt.date | str,
    holdout_end: _dt.date | str,
) -> ir.Table:
    """Distinct purchase days per customer in the holdout period ``(calibration_end, holdout_end]`` (lazy).

    Only customers with a purchase on or before ``calibration_end`` are returned (those the model was
    calibrated on); a customer without a holdout purchase gets ``holdout_frequency = 0``.

    Returns
    -------
    ibis.Table
        ``customer_id, holdout_frequency (int64)``. Not executed.
    """
    _check_table(order_lines, ["customer_id", "order_date"])
    cal = _as_date(calibration_end, "calibration_end")
    end = _as_date(holdout_end, "holdout_end")
    if end <= cal:
        raise InputError(f"holdout_end ({end}) must be after calibration_end ({cal})")
    days = _purchase_days(order_lines.filter(order_lines.order_date <= ibis.date(end)), None)
    in_holdout = days.order_date > ibis.date(cal)
    per = days.group_by("customer_id").aggregate(
        first_day=days.order_date.min(),
        holdout_frequency=ibis.ifelse(in_holdout, 1, 0).sum(),
    )
    per = per.filter(per.first_day <= ibis.date(cal))
    return per.select(
        customer_id=per.customer_id,
        holdout_frequency=per.holdout_frequency.fill_null(0).cast("int64"),
    )

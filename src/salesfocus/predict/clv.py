"""Customer lifetime value in revenue and in profit terms, from a fitted BG/NBD and Gamma-Gamma model.

Per customer, over a horizon of whole months:

- ``expected_orders``        BG/NBD conditional expectation of purchases in the horizon;
- ``expected_average_value`` Gamma-Gamma expected value per order;
- ``expected_revenue``       expected_orders × expected_average_value;
- ``expected_margin``        expected_revenue × the customer's margin fraction;
- ``expected_cost_to_serve`` expected_orders × the customer's own cost-to-serve per order;
- ``clv``                    discounted expected revenue: Σ_months value × (E[orders by month k] −
  E[orders by month k−1]) / (1 + d)^(k/12), as ``lifetimes.utils.customer_lifetime_value`` does
  (lifetimes takes a monthly rate and 30-day months; here the rate is annual, applied per month, and a
  month is ``days_per_month`` days, by default 365.25/12, so that 12 months are one year);
- ``clv_profit``             the same discounting applied to expected margin minus cost-to-serve:
  Σ_k (value × margin − cost_per_order) × ΔE_k / (1 + d)^(k/12). It can be negative — that is the point:
  a customer whose orders cost more to serve than they earn destroys value the more he buys.

This is the edge of the pipeline (a per-customer frame, vectorised numpy), not an Ibis expression.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from salesfocus.errors import InputError
from salesfocus.predict.base import as_frame
from salesfocus.predict.beta_geo import BetaGeoModel
from salesfocus.predict.gamma_gamma import GammaGammaModel
from salesfocus.predict.pareto_nbd import ParetoNBDModel
from salesfocus.predict.rfm import days_per_unit

__all__ = ["customer_value", "DAYS_PER_MONTH"]

DAYS_PER_MONTH = 365.25 / 12

OUTPUT_COLUMNS = (
    "p_active",
    "expected_orders",
    "expected_average_value",
    "expected_revenue",
    "expected_margin",
    "expected_cost_to_serve",
    "clv",
    "clv_profit",
)


def _per_customer(value: Any, df: pd.DataFrame, name: str, default: float) -> np.ndarray:
    """A scalar, a column name of ``df``, an array aligned with ``df``, or None (column ``name`` or default)."""
    if value is None:
        value = name if name in df.columns else default
    if isinstance(value, str):
        if value not in df.columns:
            raise InputError(f"customer_value: {name} refers to column {value!r}, which rfm_df does not have")
        arr = pd.to_numeric(df[value], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    elif np.isscalar(value):
        arr = np.full(len(df), float(value))
    else:
        arr = np.asarray(value, dtype="float64")
        if arr.shape != (len(df),):
            raise InputError(
                f"customer_value: {name} has {arr.shape[0] if arr.ndim else 1} values for {len(df)} customers"
            )
    return arr


def customer_value(
    bgnbd: BetaGeoModel,
    gg: GammaGammaModel,
    rfm_df: Any,
    *,
    horizon_months: int = 12,
    discount_rate_annual: float = 0.1,
    time_unit: str = "week",
    margin_pct: float | str | Any | None = None,
    cost_per_order: float | str | Any | None = None,
    days_per_month: float = DAYS_PER_MONTH,
) -> pd.DataFrame:
    """Expected orders, revenue, margin, cost-to-serve, CLV and CLV in profit per customer.

    Parameters
    ----------
    bgnbd, gg
        Fitted repeat-purchase model (:class:`BetaGeoModel`, MBG/NBD or Pareto/NBD) and
        :class:`GammaGammaModel` (fitted in ``time_unit``).
    rfm_df
        Per-customer frame with ``frequency, recency, T, monetary_value`` (and optionally
        ``customer_id``, ``margin_pct``, ``cost_per_order``) — the executed :func:`rfm_table`.
    horizon_months
        Horizon in whole months (>= 1).
    discount_rate_annual
        Annual discount rate (0.1 = 10 %), applied per month as (1 + d)^(k/12).
    time_unit
        ``"day"`` or ``"week"``: the unit of recency/T the models were fitted in.
    margin_pct
        Gross margin as a **fraction** of revenue (0.25 = 25 %): a number, a column name of ``rfm_df``
        or an array aligned with it. None: column ``margin_pct`` if present, otherwise unknown —
        ``expected_margin`` and ``clv_profit`` are then NaN.
    cost_per_order
        The customer's own cost-to-serve per order (currency): number, column name or array.
        None: column ``cost_per_order`` if present, otherwise 0.
    days_per_month
        Length of a month in days (365.25/12; use 30 to reproduce ``lifetimes``).

    Returns
    -------
    pandas.DataFrame
        Index of ``rfm_df``; ``customer_id`` (if given) and the columns in ``OUTPUT_COLUMNS``.
    """
    # BetaGeoModel includes its subclass ModifiedBetaGeoModel; any of the three repeat-purchase models will do.
    for model, cls, what in ((bgnbd, (BetaGeoModel, ParetoNBDModel), "repeat-purchase model (BetaGeoModel, "
                              "ModifiedBetaGeoModel or ParetoNBDModel)"), (gg, GammaGammaModel, "GammaGammaModel")):
        if not isinstance(model, cls):
            raise InputError(f"customer_value: expected a {what}, got {type(model).__name__}")
    df = as_frame(rfm_df, ("frequency", "recency", "T", "monetary_value"), who="customer_value")
    if not (isinstance(horizon_months, int | np.integer) and horizon_months >= 1):
        raise InputError(f"customer_value: horizon_months must be a whole number >= 1, got {horizon_months!r}")
    if not (np.isscalar(discount_rate_annual) and discount_rate_annual > -1):
        raise InputError(f"customer_value: discount_rate_annual must be a number > -1, got {discount_rate_annual!r}")
    step = days_per_month / days_per_unit(time_unit)
    margin = _per_customer(margin_pct, df, "margin_pct", np.nan)
    if np.any(margin > 1):
        raise InputError("customer_value: margin_pct is a fraction of revenue (0.25 = 25 %); got values above 1")
    cost = _per_customer(cost_per_order, df, "cost_per_order", 0.0)

    x = df["frequency"].to_numpy(dtype="float64")
    t_x = df["recency"].to_numpy(dtype="float64")
    T = df["T"].to_numpy(dtype="float64")
    m = df["monetary_value"].to_numpy(dtype="float64")

    # Customers with the same (x, t_x, T) have the same order forecast: compute once per distinct triple.
    keys = pd.DataFrame({"x": x, "t_x": t_x, "T": T})
    codes = keys.groupby(["x", "t_x", "T"], sort=False).ngroup().to_numpy()  # numbered in order of appearance
    first = keys.drop_duplicates()  # the same order
    ux, utx, uT = (first[c].to_numpy() for c in ("x", "t_x", "T"))
    prev = np.zeros(len(ux))
    disc_orders = np.zeros(len(ux))
    for k, cum in enumerate(bgnbd.expected_orders_at([k * step for k in range(1, horizon_months + 1)], ux, utx, uT),
                            start=1):
        disc_orders += (cum - prev) / (1.0 + discount_rate_annual) ** (k / 12.0)
        prev = cum
    orders = prev[codes]
    disc = disc_orders[codes]
    p_alive = bgnbd.probability_alive(ux, utx, uT)[codes]

    value = gg.expected_average_value(x, m)
    revenue = orders * value
    out = pd.DataFrame(index=df.index)
    if "customer_id" in df.columns:
        out["customer_id"] = df["customer_id"].to_numpy()
    out["p_active"] = p_alive
    out["expected_orders"] = orders
    out["expected_average_value"] = value
    out["expected_revenue"] = revenue
    out["expected_margin"] = revenue * margin
    out["expected_cost_to_serve"] = orders * cost
    out["clv"] = disc * value
    out["clv_profit"] = disc * (value * margin - cost)
    return out

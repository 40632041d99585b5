"""Backtest of the repeat-purchase forecast: calibrate up to a date, predict the holdout, compare with reality.

The question a commercial director asks before trusting a forecast: *had we run this a year ago, how
close would it have been?* The order lines are split by date. BG/NBD is fitted on the calibration
period and predicts each customer's purchase days in the holdout period; that is compared with the
purchase days that actually happened, per customer (MAE, Pearson correlation) and in total, next to a
naive baseline that lets every customer repeat its calibration-period repeat-purchase rate
(``frequency / T`` per time unit, 0 for a customer first seen on the calibration end date).

Only customers acquired on or before the calibration end are scored (the model knows nothing of the
others). This function executes the two Ibis expressions it builds: it is an edge, like a report.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from salesfocus.errors import InputError
from salesfocus.predict.base import CustomerModel
from salesfocus.predict.beta_geo import BetaGeoModel
from salesfocus.predict.rfm import _as_date, days_per_unit, holdout_orders, rfm_table

__all__ = ["backtest", "holdout_frame"]


def _metrics(pred: np.ndarray, actual: np.ndarray) -> dict[str, float]:
    err = pred - actual
    if len(pred) > 1 and np.std(pred) > 0 and np.std(actual) > 0:
        corr = float(np.corrcoef(pred, actual)[0, 1])
    else:
        corr = float("nan")
    return {
        "mae": float(np.mean(np.abs(err))),
        "rmse": float(np.sqrt(np.mean(err**2))),
        "correlation": corr,
        "total_predicted": float(np.sum(pred)),
        "total_actual": float(np.sum(actual)),
    }


def holdout_frame(
    order_lines: ir.Table, calibration_end: _dt.date | str, holdout_end: _dt.date | str, time_unit: str = "week"
) -> tuple[pd.DataFrame, float]:
    """Per-customer ``customer_id, frequency, recency, T, holdout_frequency`` for a calibration/holdout split.

    Customers acquired on or before ``calibration_end``, sorted by id; the holdout length in time units.
    Executes its two Ibis expressions (an edge). Shared by :func:`backtest` and the model choice.
    """
    cal = _as_date(calibration_end, "calibration_end")
    end = _as_date(holdout_end, "holdout_end")
    if end <= cal:
        raise InputError(f"backtest: holdout_end ({end}) must be after calibration_end ({cal})")
    horizon = (end - cal).days / days_per_unit(time_unit)
    if not isinstance(order_lines, ir.Table):
        raise InputError(f"backtest: order_lines must be an ibis Table, got {type(order_lines).__name__}")
    # rfm_table needs a value column; the order counts do not: give it a constant one.
    lines = order_lines.mutate(_backtest_value=ibis.literal(0.0, "float64"))
    rfm = rfm_table(lines, calibration_end=cal, time_unit=time_unit, value_column="_backtest_value")
    rfm = rfm.drop("monetary_value").to_pandas()
    actual = holdout_orders(order_lines, cal, end).to_pandas()
    df = rfm.merge(actual, on="customer_id", how="left")
    df["holdout_frequency"] = df["holdout_frequency"].fillna(0).astype("int64")
    df = df.sort_values("customer_id", kind="stable").reset_index(drop=True)
    if len(df) == 0:
        raise InputError(f"backtest: no customer has a purchase on or before {cal}")
    return df, horizon


def backtest(
    order_lines: ir.Table,
    calibration_end: _dt.date | str,
    holdout_end: _dt.date | str,
    time_unit: str = "week",
    *,
    model: CustomerModel | None = None,
    frame: tuple[pd.DataFrame, float] | None = None,
    fitted: CustomerModel | None = None,
) -> dict[str, Any]:
    """Fit BG/NBD up to ``calibration_end`` and score its holdout forecast against a naive baseline.

    Parameters
    ----------
    order_lines
        Ibis table with ``customer_id`` and ``order_date`` (other columns are ignored).
    calibration_end, holdout_end
        Calibration is ``[.., calibration_end]``, holdout ``(calibration_end, holdout_end]``.
    time_unit
        ``"day"`` or ``"week"``.
    model
        An unfitted repeat-purchase model (:class:`BetaGeoModel`, ``ParetoNBDModel`` or
        ``ModifiedBetaGeoModel``) whose settings to use (a default BG/NBD if None). It is fitted here.
    frame
        The result of :func:`holdout_frame` for the same split, when already computed (not re-executed).
    fitted
        ``model`` already fitted on ``frame`` (the model choice fits every candidate there): used, not refitted.

    Returns
    -------
    dict
        ``time_unit, calibration_end, holdout_end, holdout_length`` (in time units), ``n_customers``,
        ``fit`` (the model summary: params, log-likelihood, convergence), ``model`` and ``naive``
        (each ``mae, rmse, correlation, total_predicted, total_actual``), ``beats_naive`` (model MAE <
        naive MAE), ``mae_improvement`` (1 − model MAE / naive MAE), and ``per_customer`` — a pandas
        frame ``customer_id, frequency, recency, T, p_active, predicted, naive, actual``.
        Everything but ``per_customer`` is JSON-ready.
    """
    df, horizon = frame if frame is not None else holdout_frame(order_lines, calibration_end, holdout_end, time_unit)
    cal, end = _as_date(calibration_end, "calibration_end"), _as_date(holdout_end, "holdout_end")

    if fitted is None:
        fitted = (model if model is not None else BetaGeoModel()).fit(df)
    x, t_x, T = (df[c].to_numpy(dtype="float64") for c in ("frequency", "recency", "T"))
    pred = fitted.expected_orders(horizon, x, t_x, T)
    with np.errstate(divide="ignore", invalid="ignore"):
        naive = np.where(T > 0, x / T, 0.0) * horizon
    act = df["holdout_frequency"].to_numpy(dtype="float64")
    m_model, m_naive = _metrics(pred, act), _metrics(naive, act)
    per_customer = pd.DataFrame(
        {
            "customer_id": df["customer_id"],
            "frequency": df["frequency"],
            "recency": df["recency"],
            "T": df["T"],
            "p_active": fitted.probability_alive(x, t_x, T),
            "predicted": pred,
            "naive": naive,
            "actual": df["holdout_frequency"],
        }
    )
    return {
        "time_unit": time_unit,
        "calibration_end": cal.isoformat(),
        "holdout_end": end.isoformat(),
        "holdout_length": horizon,
        "n_customers": int(len(df)),
        "fit": fitted.summary(),
        "model": m_model,
        "naive": m_naive,
        "beats_naive": bool(m_model["mae"] < m_naive["mae"]),
        "mae_improvement": float(1.0 - m_model["mae"] / m_naive["mae"]) if m_naive["mae"] > 0 else float("nan"),
        "per_customer": per_customer,
    }

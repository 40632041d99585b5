"""Simulate customers from a known BG/NBD process (for tests, backtests and benchmarks).

Each customer makes a first purchase at acquisition, then buys as a Poisson process with rate
λ ~ Gamma(r, α) while active, and after every repeat purchase drops out with probability p ~ Beta(a, b)
(Fader, Hardie & Lee 2005). Times are in days here; purchases on the same day count once, as in
:func:`~salesfocus.predict.rfm.rfm_table`.
"""

from __future__ import annotations

import datetime as _dt

import numpy as np
import pandas as pd

__all__ = ["simulate_bgnbd_orders", "simulate_bgnbd_summary", "simulate_repeat_summary"]


def _draw(n: int, r: float, alpha: float, a: float, b: float, rng: np.random.Generator):
    lam = rng.gamma(shape=r, scale=1.0 / alpha, size=n)
    p = rng.beta(a, b, size=n)
    return lam, p


def _events(lam: np.ndarray, p: np.ndarray, horizon: np.ndarray, rng: np.random.Generator, *, keep: bool):
    """Repeat-purchase times in (0, horizon] per customer. Returns (count_days, last_day, events or None).

    Day resolution: a purchase on the same whole day as the previous one does not count.
    """
    n = len(lam)
    count = np.zeros(n, dtype="int64")
    last_day = np.zeros(n, dtype="int64")
    t = np.zeros(n)
    idx = np.flatnonzero(lam > 0)
    ev_c: list[np.ndarray] = []
    ev_d: list[np.ndarray] = []
    while idx.size:
        t[idx] += rng.exponential(1.0, size=idx.size) / lam[idx]
        idx = idx[t[idx] <= horizon[idx]]
        if not idx.size:
            break
        day = np.floor(t[idx]).astype("int64")
        new = day > last_day[idx]
        hit = idx[new]
        count[hit] += 1
        last_day[hit] = day[new]
        if keep:
            ev_c.append(hit)
            ev_d.append(day[new])
        idx = idx[rng.random(idx.size) >= p[idx]]
    events = (np.concatenate(ev_c), np.concatenate(ev_d)) if keep and ev_c else None
    return count, last_day, events


def simulate_bgnbd_summary(
    n_customers: int,
    r: float,
    alpha: float,
    a: float,
    b: float,
    *,
    max_T_days: int = 365,
    days_per_unit: float = 7.0,
    seed: int | None = 0,
) -> pd.DataFrame:
    """Per-customer ``frequency, recency, T`` simulated from BG/NBD (r, α per **time unit**).

    Customers are acquired uniformly over the ``max_T_days`` days before the calibration end, so T is a
    whole number of days (expressed in time units), as with real order data.
    """
    rng = np.random.default_rng(seed)
    lam, p = _draw(n_customers, r, alpha, a, b, rng)
    lam = lam / days_per_unit  # rate per day
    T_days = rng.integers(0, max_T_days + 1, size=n_customers)
    count, last_day, _ = _events(lam, p, T_days.astype("float64") + 0.999999, rng, keep=False)
    last_day = np.minimum(last_day, T_days)
    return pd.DataFrame(
        {
            "customer_id": np.arange(n_customers).astype(str),
            "frequency": count,
            "recency": last_day / days_per_unit,
            "T": T_days / days_per_unit,
        }
    )


def simulate_bgnbd_orders(
    n_customers: int,
    r: float,
    alpha: float,
    a: float,
    b: float,
    *,
    start: _dt.date,
    acquisition_days: int,
    end: _dt.date,
    days_per_unit: float = 7.0,
    mean_value: float = 100.0,
    seed: int | None = 0,
) -> pd.DataFrame:
    """Order rows ``customer_id, order_id, order_date, revenue`` simulated from BG/NBD.

    Customers are acquired uniformly over ``acquisition_days`` days from ``start``; purchases continue
    until ``end``. r, α are per time unit (``days_per_unit`` days). Revenue is Gamma distributed with
    a customer-specific mean around ``mean_value`` (independent of frequency, as Gamma-Gamma assumes).
    """
    rng = np.random.default_rng(seed)
    lam, p = _draw(n_customers, r, alpha, a, b, rng)
    lam = lam / days_per_unit
    first = rng.integers(0, acquisition_days, size=n_customers)
    horizon = ((end - start).days - first).astype("float64") + 0.999999
    _, _, events = _events(lam, p, horizon, rng, keep=True)
    cust = np.arange(n_customers)
    if events is not None:
        cust = np.concatenate([cust, events[0]])
        day = np.concatenate([first, first[events[0]] + events[1]])
    else:
        day = first
    spend_mean = rng.gamma(4.0, mean_value / 4.0, size=n_customers)
    revenue = np.round(rng.gamma(6.0, 1.0, size=len(cust)) * spend_mean[cust] / 6.0, 2)
    base = np.datetime64(start, "D")
    return pd.DataFrame(
        {
            "customer_id": np.char.add("C", cust.astype(str)),
            "order_id": np.char.add("O", np.arange(len(cust)).astype(str)),
            "order_date": pd.Series(base + day.astype("timedelta64[D]")).dt.date,
            "revenue": revenue,
        }
    ).sort_values(["order_date", "customer_id"], kind="stable", ignore_index=True)


def simulate_repeat_summary(
    model: str,
    n_customers: int,
    params: dict[str, float],
    *,
    max_T: float = 52.0,
    holdout: float = 0.0,
    seed: int | None = 0,
) -> pd.DataFrame:
    """Per-customer ``frequency, recency, T`` (and ``holdout_frequency``) from BG/NBD, MBG/NBD or Pareto/NBD.

    Continuous time (no same-day merging), in the unit of the parameters; T is uniform on (0, ``max_T``].
    ``model``: ``"bg_nbd"`` (r, alpha, a, b: dropout with probability p after each *repeat* purchase),
    ``"mbg_nbd"`` (the same, and also right after the first purchase) or ``"pareto_nbd"`` (r, alpha, s,
    beta: exponential lifetime with rate μ ~ Gamma(s, β)). ``holdout_frequency`` counts purchases in
    (T, T + ``holdout``].
    """
    rng = np.random.default_rng(seed)
    n = n_customers
    lam = rng.gamma(params["r"], 1.0 / params["alpha"], size=n)
    T = rng.uniform(0.0, max_T, size=n)
    T = np.maximum(T, 1e-6)
    end = T + holdout
    if model == "pareto_nbd":
        death = rng.exponential(1.0, size=n) / rng.gamma(params["s"], 1.0 / params["beta"], size=n)
        p = None
    elif model in ("bg_nbd", "mbg_nbd"):
        p = rng.beta(params["a"], params["b"], size=n)
        death = np.full(n, np.inf)
        if model == "mbg_nbd":
            death[rng.random(n) < p] = 0.0  # dropped right after the first purchase
    else:
        raise ValueError(f"unknown model {model!r}")
    x = np.zeros(n, dtype="int64")
    hold = np.zeros(n, dtype="int64")
    last = np.zeros(n)
    t = np.zeros(n)
    idx = np.flatnonzero((lam > 0) & (death > 0))
    while idx.size:
        t[idx] += rng.exponential(1.0, size=idx.size) / lam[idx]
        idx = idx[(t[idx] <= end[idx]) & (t[idx] <= death[idx])]
        if not idx.size:
            break
        cal = t[idx] <= T[idx]
        x[idx[cal]] += 1
        last[idx[cal]] = t[idx[cal]]
        hold[idx[~cal]] += 1
        if p is not None:
            idx = idx[rng.random(idx.size) >= p[idx]]
    return pd.DataFrame({"customer_id": np.arange(n).astype(str), "frequency": x, "recency": last, "T": T,
                         "holdout_frequency": hold})

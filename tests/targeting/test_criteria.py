"""Measured criteria per segment by hand, leads per segment, and the scoring-sheet round trip.

Customers (n_groups = 4 product groups in the data):

====  ====  =======  ======  ======  ======  ========  ======  ========  ==========  =========
id    seg   revenue  margin  profit  orders  tenure d  groups  status    prev/last   look-alike
====  ====  =======  ======  ======  ======  ========  ======  ========  ==========  =========
c1    X     1000     300     200     10      730.5     2       active    3 / 2       20
c2    X      500     100     -50      5      213       1       inactive  1 / 0       —
c3    Y     3000     600     900     30      1461      4       active    0 / 5       60
====  ====  =======  ======  ======  ======  ========  ======  ========  ==========  =========

X: customer-years 2 + 1 = 3 → revenue/year 1500/3 = 500, orders/year 15/3 = 5, margin 400/1500 = 26.67 %,
profit per customer 150/2 = 75, lifetime (730.5 + 0)/2 days = 1 year, penetration (2+1)/2/4 = 37.5 %,
retention 1 of 2 = 0.5. Y: 750, 7.5, 20 %, 900, 4 years, 100 %, retention unknown (no base).
Up-sell room X = 1 - 500/750 = 1/3, Y = 0; cross-sell room X = 1 - 37.5/100 = 0.625, Y = 0.
Prospects P1 (X, 40), P2 (Y, 80), P3 (Y, —): look-alike X = (20 + 40)/2 = 30, Y = (60 + 80)/2 = 70.
Leads: c1 won in 30 days (X), P1 lost (X), P2 lost twice (Y), a won lead without customer or prospect (left
out), a not-sales-related lead of c3. Overall 1 of 4 closed deals won; shrunk with k = 3:
X (1 + 3·0.25)/(2 + 3) = 0.35, Y (0 + 0.75)/(2 + 3) = 0.15.
"""

from __future__ import annotations

import datetime as dt

import ibis
import numpy as np
import pandas as pd
import pytest

from salesfocus.errors import ConfigError, InputError
from salesfocus.targeting import Portfolio, read_scores, scoring_sheet, write_scoring_workbook
from salesfocus.targeting.criteria import (
    lead_aggregates,
    measured_criteria,
    prospect_aggregates,
    scores_frame,
    segment_aggregates,
)

D = dt.date


@pytest.fixture
def tables():
    cust = ibis.memtable({
        "customer_id": ["c1", "c2", "c3"], "target_segment": ["X", "X", "Y"],
        "revenue": [1000.0, 500.0, 3000.0], "gross_margin": [300.0, 100.0, 600.0],
        "net_profit": [200.0, -50.0, 900.0], "orders": [10, 5, 30], "tenure_days": [730.5, 213.0, 1461.0],
        "first_order": [D(2024, 1, 1), D(2025, 6, 1), D(2022, 1, 1)],
        "last_order": [D(2025, 12, 1), D(2025, 6, 1), D(2025, 12, 1)],
        "status": ["active", "inactive", "active"], "product_groups": [2, 1, 4],
        "orders_prev": [3, 1, 0], "orders_last": [2, 0, 5], "lookalike_score": [20.0, None, 60.0],
    })
    pros = ibis.memtable({"prospect_id": ["P1", "P2", "P3"], "target_segment": ["X", "Y", "Y"],
                          "lookalike_score": [40.0, 80.0, None]})
    leads = ibis.memtable({
        "lead_id": ["L1", "L2", "L3", "L4", "L5", "L6"],
        "lead_date": [D(2025, 1, 1)] * 6,
        "stage": ["won", "lost", "Lost", "verloren", "won", "not_sales_related"],
        "customer_id": ["c1", None, None, None, None, "c3"],
        "prospect_id": [None, "P1", "P2", "P2", None, None],
        "closed_date": [D(2025, 1, 31), D(2025, 2, 1), None, None, D(2025, 1, 2), None],
    })
    return cust, pros, leads


def test_measured_criteria_by_hand(tables):
    cust, pros, leads = tables
    c = segment_aggregates(cust).to_pandas()
    p = prospect_aggregates(pros).to_pandas()
    lg = lead_aggregates(leads, cust.select("customer_id", "target_segment"),
                         pros.select("prospect_id", "target_segment")).to_pandas()
    m = measured_criteria(c, p, lg, n_groups=4, win_rate_prior=3)
    x, y = m.loc["X"], m.loc["Y"]
    assert (x.customers, x.prospects, x.members, y.customers, y.prospects) == (2, 1, 3, 1, 2)
    assert (x.revenue, x.net_profit) == (1500.0, 150.0)
    assert x.revenue_per_customer_year == pytest.approx(500.0) and y.revenue_per_customer_year == pytest.approx(750)
    assert x.orders_per_customer_year == pytest.approx(5.0) and y.orders_per_customer_year == pytest.approx(7.5)
    assert x.margin_pct == pytest.approx(400 / 15) and y.margin_pct == pytest.approx(20.0)
    assert x.net_profit_per_customer == pytest.approx(75.0) and y.net_profit_per_customer == pytest.approx(900.0)
    assert x.avg_lifetime_years == pytest.approx(1.0) and y.avg_lifetime_years == pytest.approx(4.0)
    assert x.upsell_room == pytest.approx(1 / 3) and y.upsell_room == 0.0
    assert x.penetration_pct == pytest.approx(37.5) and x.cross_sell_room == pytest.approx(0.625)
    assert y.cross_sell_room == 0.0
    assert x.retention == pytest.approx(0.5) and np.isnan(y.retention)
    assert x.lookalike == pytest.approx(30.0) and y.lookalike == pytest.approx(70.0)
    assert (x.won, x.lost, y.won, y.lost) == (1, 1, 0, 2)
    assert x.win_rate == pytest.approx(0.35) and y.win_rate == pytest.approx(0.15)
    assert x.sales_cycle_days == pytest.approx(30.0) and np.isnan(y.sales_cycle_days)
    assert np.isnan(x.customer_value)  # no clv column: unknown, not zero


def test_raw_win_rate_without_prior(tables):
    cust, pros, leads = tables
    lg = lead_aggregates(leads, cust.select("customer_id", "target_segment"),
                         pros.select("prospect_id", "target_segment")).to_pandas()
    m = measured_criteria(segment_aggregates(cust).to_pandas(), None, lg, win_rate_prior=0)
    assert m.win_rate.tolist() == pytest.approx([0.5, 0.0])
    assert m.prospects.tolist() == [0, 0] and m.lookalike.tolist() == pytest.approx([20.0, 60.0])


def test_a_segment_of_prospects_only_has_no_customer_criteria(tables):
    cust, _, _ = tables
    pros = ibis.memtable({"prospect_id": ["P9"], "target_segment": ["Z"]})
    m = measured_criteria(segment_aggregates(cust).to_pandas(), prospect_aggregates(pros).to_pandas())
    z = m.loc["Z"]
    assert (z.customers, z.prospects, z.revenue) == (0, 1, 0.0)
    assert np.isnan(z.revenue_per_customer_year) and np.isnan(z.margin_pct)


def test_config_scores_outside_1_to_5_raise():
    with pytest.raises(ConfigError, match="'X'.*usp_match.*outside 1-5"):
        scores_frame({"X": {"usp_match": 7}}, ["usp_match"])
    f = scores_frame({"X": {"usp_match": 4}}, ["usp_match", "urgency"])
    assert f.loc["X", "usp_match"] == 4 and np.isnan(f.loc["X", "urgency"])


# -- the scoring sheet round trip ---------------------------------------------------------------------------------
@pytest.fixture
def portfolio_inputs():
    crit = pd.DataFrame({"customers": [10, 10], "prospects": [5, 5], "win_rate": [0.6, 0.4],
                         "margin_pct": [20.0, 30.0]}, index=pd.Index(["Bouw / 250+", "Zorg / 1-9"], name="segment"))
    aw = {"margin_pct": 1, "usp_match": 1}
    lw = {"win_rate": 1, "reference_cases": 1}
    return crit, aw, lw


def test_scoring_workbook_round_trip_changes_the_ranking(tmp_path, portfolio_inputs):
    from openpyxl import load_workbook

    crit, aw, lw = portfolio_inputs
    before = Portfolio(aw, lw, focus_count=1).fit(crit)
    assert before.focus_ == ["Bouw / 250+"]  # win 100 + margin 0 ties Zorg's 0 + 100: by name
    assert set(before.left_out_) == {"usp_match", "reference_cases"}
    sheet = scoring_sheet(crit, before.judged, pd.DataFrame(), ["win_rate", "margin_pct"])
    assert list(sheet.columns) == ["segment", "customers", "prospects", "usp_match", "reference_cases", "win_rate",
                                   "margin_pct"]
    path = write_scoring_workbook(tmp_path / "targeting_scores.xlsx", sheet, before.weights_table(), before.judged)

    wb = load_workbook(path)  # the director fills it in
    ws, ww = wb["scores"], wb["weights"]
    head = [c.value for c in ws[1]]
    rows = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    ws.cell(rows["Zorg / 1-9"], head.index("usp_match") + 1, 5)
    ws.cell(rows["Bouw / 250+"], head.index("usp_match") + 1, 1)
    ws.cell(rows["Zorg / 1-9"], head.index("reference_cases") + 1, "4,5")  # a Dutch decimal comma
    wh = [c.value for c in ww[1]]
    for r in range(2, ww.max_row + 1):
        if ww.cell(r, wh.index("criterion") + 1).value == "usp_match":
            ww.cell(r, wh.index("weight") + 1, 3)
    wb.save(path)

    scores, weights = read_scores(path)
    assert scores.loc["Zorg / 1-9", "usp_match"] == 5 and scores.loc["Zorg / 1-9", "reference_cases"] == 4.5
    assert np.isnan(scores.loc["Bouw / 250+", "reference_cases"])
    assert weights["attractiveness"]["usp_match"] == 3
    aw2 = {**aw, **weights["attractiveness"]}
    lw2 = {**lw, **weights["likelihood"]}
    after = Portfolio(aw2, lw2, focus_count=1).fit(crit.join(scores[["usp_match", "reference_cases"]]))
    assert after.focus_ == ["Zorg / 1-9"]
    t = after.table_
    # Zorg: margin x 1 (w 1), usp x 1 (w 3) → 100; Bouw: margin 0, usp 0 → 0
    assert t.attractiveness.tolist() == pytest.approx([0.0, 100.0])
    # Zorg: win 0 (w 1), references (4.5 - 1)/4 = .875 (w 1) → 43.75; Bouw has no reference score: win alone 100
    assert t.likelihood.tolist() == pytest.approx([100.0, 43.75])


def test_scoring_csv_with_semicolons_and_errors(tmp_path):
    p = tmp_path / "scores.csv"
    p.write_text("segment;usp_match;win_rate\nZorg / 1-9;4,5;0.3\n'=other;;\n", encoding="utf-8")
    scores, weights = read_scores(p)
    assert weights is None and scores.loc["Zorg / 1-9", "usp_match"] == 4.5
    assert "=other" in scores.index and np.isnan(scores.loc["=other", "usp_match"])
    p.write_text("segment;usp_match\nZorg;veel\n", encoding="utf-8")
    with pytest.raises(InputError, match="'veel' is not a score"):
        read_scores(p)
    p.write_text("sector;usp_match\nZorg;3\n", encoding="utf-8")
    with pytest.raises(InputError, match="no 'segment' column"):
        read_scores(p)
    with pytest.raises(InputError, match="not found"):
        read_scores(tmp_path / "nope.csv")


def test_segment_sums_are_the_same_whatever_order_the_customers_come_in():
    # 1e13 + 0.001 - 1e13: a float sum gives 0, 0.00195 or 0.001 depending on the order it adds in (1e13 + 0.001 is
    # no double); the segments' money and customer-years are added up exactly
    D = dt.date
    got = set()
    for order in ([0, 1, 2], [0, 2, 1], [1, 0, 2], [2, 1, 0]):
        money = np.array([1e13, 0.001, -1e13])[order]
        cust = ibis.memtable({
            "customer_id": [f"c{i}" for i in order], "target_segment": ["X"] * 3, "revenue": money,
            "gross_margin": money / 2, "net_profit": money / 4, "clv": money * 3, "lookalike_score": money,
            "orders": [1, 1, 1], "tenure_days": [400.0, 500.0, 600.0],
            "first_order": [D(2024, 1, 1)] * 3, "last_order": [D(2025, 1, 1)] * 3, "status": ["active"] * 3})
        row = segment_aggregates(cust).to_pandas().iloc[0]
        got.add(tuple(float(row[c]) for c in ("revenue", "gross_margin", "net_profit", "margin_revenue", "clv",
                                               "lookalike_sum", "cust_years")))
    assert len(got) == 1  # the same in every order
    (*money, years), = got
    assert money == [0.001, 0.0005, 0.00025, 0.001, 0.001, 0.001]
    assert years == pytest.approx((400 + 500 + 600) / 365.25, abs=1e-5)  # each to a millionth of a year

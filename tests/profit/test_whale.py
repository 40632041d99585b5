"""Whale curve and headline figures on the five hand-worked customers (see conftest), plus properties.

Ranked on profit: P1 2500, P2 800, P3 50, L1 -500, L2 -1100; cumulative 2500, 3300, 3350, 2850, 1750;
as shares of 1750: 1.428571, 1.885714, 1.914286, 1.628571, 1.0 -> peak 3350 / 1750 = 1.9142857.
Ranked on revenue: P1 10000, P2 5000, L2 4000, L1 2000, P3 1000; cumulative shares of 22000: 0.454545,
0.681818, 0.863636, 0.954545, 1.0; cost-to-serve in that order 500, 700, 2100, 1100, 250 -> cumulative
500, 1200, 3300, 4400, 4650 of 4650.
top20: round(0.2 * 5) = 1 customer -> 10000 / 22000 = 0.454545.
tail (revenue before the customer >= 80% of 22000 = 17600): L1 (19000 before) and P3 (21000 before);
their cost 1100 + 250 = 1350 / 4650 = 0.290323.
Loss-makers L1, L2: 2 of 5 = 0.4; total -1600.
"""

from __future__ import annotations

import ibis
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesfocus.errors import SchemaError
from salesfocus.profit import headline, profit_ranks, whale_curve


def test_whale_curve_by_hand(customers):
    w = whale_curve(customers).to_pandas()
    assert list(w["rank"]) == [1, 2, 3, 4, 5]
    assert list(w.customer_share) == pytest.approx([0.2, 0.4, 0.6, 0.8, 1.0])
    assert list(w.customer_id) == ["P1", "P2", "P3", "L1", "L2"]
    assert list(w.cum_profit) == pytest.approx([2500, 3300, 3350, 2850, 1750])
    assert list(w.cum_profit_share) == pytest.approx([2500 / 1750, 3300 / 1750, 3350 / 1750, 2850 / 1750, 1.0])
    assert list(w.cum_revenue_share_by_profit) == pytest.approx([10 / 22, 15 / 22, 16 / 22, 18 / 22, 1.0])
    assert list(w.revenue_customer_id) == ["P1", "P2", "L2", "L1", "P3"]
    assert list(w.cum_revenue_share) == pytest.approx([10 / 22, 15 / 22, 19 / 22, 21 / 22, 1.0])
    assert list(w.cum_cost_share) == pytest.approx([500 / 4650, 1200 / 4650, 3300 / 4650, 4400 / 4650, 1.0])


def test_headline_by_hand(customers):
    h = headline(customers).to_pyarrow().to_pylist()[0]
    assert h["customers"] == 5
    assert h["revenue"] == pytest.approx(22000)
    assert h["cost_to_serve"] == pytest.approx(4650)
    assert h["net_profit"] == pytest.approx(1750)
    assert h["top20_revenue_share"] == pytest.approx(10000 / 22000)
    assert h["tail_cost_share"] == pytest.approx(1350 / 4650)
    assert h["whale_peak_share"] == pytest.approx(3350 / 1750)
    assert h["loss_making_customers"] == 2
    assert h["loss_making_share"] == pytest.approx(0.4)
    assert h["loss_making_total"] == pytest.approx(-1600)


def test_ties_break_on_customer_id(rows, table_of):
    for r in rows:  # everyone the same revenue and profit: the order is customer_id ascending
        r.update(revenue=100, net_profit=10.0)
    w = whale_curve(table_of(rows)).to_pandas()
    assert list(w.customer_id) == sorted(r["customer_id"] for r in rows)
    assert list(w.revenue_customer_id) == sorted(r["customer_id"] for r in rows)


def test_profit_ranks(customers):
    r = profit_ranks(customers).to_pandas().set_index("customer_id")
    assert r.profit_rank.to_dict() == {"P1": 1, "P2": 2, "P3": 3, "L1": 4, "L2": 5}
    assert r.loss_making.to_dict() == {"P1": False, "P2": False, "P3": False, "L1": True, "L2": True}


def test_unknown_profit_is_null_not_zero(rows, table_of):
    for r in rows:
        r.update(gross_margin=None, net_profit=None)
    t = table_of(rows)
    h = headline(t).to_pyarrow().to_pylist()[0]
    assert h["net_profit"] is None and h["whale_peak_share"] is None
    assert h["loss_making_share"] is None and h["loss_making_customers"] is None and h["loss_making_total"] is None
    assert h["top20_revenue_share"] == pytest.approx(10000 / 22000)  # revenue figures stay
    w = whale_curve(t).to_pandas()
    assert w.cum_profit_share.isna().all() and w.cum_revenue_share.notna().all()
    assert profit_ranks(t).to_pandas().profit_rank.isna().all()


def test_empty_input():
    t = ibis.memtable({"customer_id": [], "revenue": [], "cost_to_serve": [], "net_profit": []},
                      schema={"customer_id": "string", "revenue": "float64", "cost_to_serve": "float64",
                              "net_profit": "float64"})
    assert whale_curve(t).to_pandas().empty
    h = headline(t).to_pyarrow().to_pylist()[0]
    assert h["customers"] == 0 and h["top20_revenue_share"] is None and h["whale_peak_share"] is None


def test_all_zero(rows, table_of):
    for r in rows:
        r.update(revenue=0, gross_margin=0, cost_to_serve=0.0, net_profit=0.0)
    h = headline(table_of(rows)).to_pyarrow().to_pylist()[0]
    assert h["top20_revenue_share"] is None and h["tail_cost_share"] is None and h["whale_peak_share"] is None
    assert h["loss_making_share"] == 0.0


def test_missing_column_is_named(customers):
    with pytest.raises(SchemaError, match="cost_to_serve, net_profit"):
        whale_curve(customers.drop("net_profit", "cost_to_serve"))


def test_input_unchanged(customers):
    before = customers.to_pandas()
    whale_curve(customers).to_pandas()
    headline(customers).to_pandas()
    assert customers.to_pandas().equals(before)


# -- properties ----------------------------------------------------------------------------------------------------
customer = st.tuples(st.integers(0, 10_000), st.integers(-5_000, 5_000), st.integers(0, 2_000))


def _table(data):
    return ibis.memtable(
        {"customer_id": [f"C{i:03d}" for i in range(len(data))], "revenue": [float(r) for r, _, _ in data],
         "net_profit": [float(p) for _, p, _ in data], "cost_to_serve": [float(c) for _, _, c in data]},
        schema={"customer_id": "string", "revenue": "float64", "net_profit": "float64", "cost_to_serve": "float64"})


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(customer, min_size=1, max_size=25))
def test_whale_curve_properties(data):
    t = _table(data)
    w = whale_curve(t).to_pandas()
    h = headline(t).to_pyarrow().to_pylist()[0]
    total = sum(p for _, p, _ in data)
    assert len(w) == len(data) and list(w["rank"]) == list(range(1, len(data) + 1))
    assert w.customer_share.between(0, 1).all() and w.customer_share.iloc[-1] == pytest.approx(1.0)
    if total != 0:
        assert w.cum_profit_share.iloc[-1] == pytest.approx(1.0)  # ends at 100% of total profit
    if total > 0:
        assert h["whale_peak_share"] == pytest.approx(w.cum_profit_share.max())
        assert h["whale_peak_share"] >= 1.0 - 1e-12
        if any(p < 0 for _, p, _ in data):
            assert h["whale_peak_share"] > 1.0  # peak above 100% when any customer loses money
    else:
        assert h["whale_peak_share"] is None
    if sum(r for r, _, _ in data) > 0:  # revenue >= 0 here: a Pareto curve within [0, 1], rising to 1
        s = w.cum_revenue_share
        assert s.between(0, 1 + 1e-12).all() and s.is_monotonic_increasing and s.iloc[-1] == pytest.approx(1)
        assert 0 <= h["top20_revenue_share"] <= 1 + 1e-12
        assert h["top20_revenue_share"] >= round(0.2 * len(data)) / len(data) - 1e-12  # the top is at least fair
    if sum(c for _, _, c in data) > 0:
        assert w.cum_cost_share.between(0, 1 + 1e-12).all() and 0 <= h["tail_cost_share"] <= 1 + 1e-12
    losers = sum(p < 0 for _, p, _ in data)
    assert h["loss_making_share"] == pytest.approx(losers / len(data))
    assert 0 <= h["loss_making_share"] <= 1

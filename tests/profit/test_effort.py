"""Effort versus value on the five hand-worked customers (see conftest); defaults: over-served from 6 visits a
year, under-served below 2 visits a year for top and large customers.

visits per year: P1 2/1 = 2, P2 1, P3 10, L1 1, L2 24/4 = 6.
profit per visit / cost per visit: P1 1250 / 150, P2 800 / 150, P3 5 / 10, L1 -500 / 150, L2 -45.83 / 50.
over_served: P3 (10 >= 6 and 5 < 10) and L2 (6 >= 6 and -45.83 < 50); L1 loses money but is seldom visited.
under_served: P2 (top, 1 < 2); P1 has exactly 2 (not below); L2 is large with 6.
Per account manager: Ann (P1, P3) visits 12, hours 9, profit 2550 -> 212.5 per visit; Bob (P2, L2) 25, 32,
-300 -> -12 per visit; no manager (L1) 1, 1, -500. Visits 38 in all.
"""

from __future__ import annotations

import pytest

from salesfocus.config import PyramidConfig
from salesfocus.errors import SchemaError
from salesfocus.profit import effort_flags, effort_table, pyramid_levels

CFG = PyramidConfig()


def _with_levels(t):
    return t.join(pyramid_levels(t, CFG), "customer_id")


def _flags(t, **kw):
    return effort_flags(_with_levels(t), CFG, **kw).to_pandas().set_index("customer_id")


def test_flags_by_hand(customers):
    f = _flags(customers)
    assert f.visits_per_year.to_dict() == pytest.approx({"P1": 2, "P2": 1, "P3": 10, "L1": 1, "L2": 6})
    assert f.profit_per_visit["L2"] == pytest.approx(-1100 / 24) and f.cost_per_visit["L2"] == pytest.approx(50)
    assert f.profit_per_visit["P3"] == pytest.approx(5) and f.cost_per_visit["P3"] == pytest.approx(10)
    assert f.over_served.to_dict() == {"P1": False, "P2": False, "P3": True, "L1": False, "L2": True}
    assert f.under_served.to_dict() == {"P1": False, "P2": True, "P3": False, "L1": False, "L2": False}


def test_thresholds_come_from_config(customers):
    cfg = PyramidConfig(friday_afternoon_visits=12, under_served_visits=3)
    f = effort_flags(_with_levels(customers), cfg).to_pandas().set_index("customer_id")
    assert not f.over_served.any()
    assert f.under_served.to_dict() == {"P1": True, "P2": True, "P3": False, "L1": False, "L2": False}


def test_without_activities_everything_is_unknown(customers):
    f = _flags(customers.drop("visits"))
    assert f.visits_per_year.isna().all() and f.over_served.isna().all() and f.under_served.isna().all()
    f = _flags(customers, has_visits=False)
    assert f.over_served.isna().all() and f.under_served.isna().all()


def test_unknown_profit_leaves_over_served_unknown_where_it_matters(rows, table_of):
    for r in rows:
        r.update(gross_margin=None, net_profit=None)
    f = _flags(table_of(rows))
    assert f.over_served.isna()["P3"] and f.over_served.isna()["L2"]  # visited often: profit decides
    assert f.over_served["P1"] == False  # noqa: E712 - seldom visited: not over-served whatever the profit


def test_effort_table_by_hand(customers):
    c = _with_levels(customers)
    c = c.join(effort_flags(c, CFG), "customer_id")
    e = effort_table(c, CFG).to_pandas()
    am = e[e.dimension == "account_manager"].set_index("group")
    assert list(am.index) == ["(no account manager)", "Ann", "Bob"]
    assert am.loc["Ann", ["customers", "visits", "hours", "net_profit"]].tolist() == [2, 12, 9, 2550]
    assert am.loc["Ann", "profit_per_visit"] == pytest.approx(212.5)
    assert am.loc["Ann", "profit_per_hour"] == pytest.approx(2550 / 9)
    assert am.loc["Bob", "profit_per_visit"] == pytest.approx(-12)
    assert am.loc["Bob", "visits_share"] == pytest.approx(25 / 38)
    assert am.loc["Bob", "profit_share"] == pytest.approx(-300 / 1750)
    assert am.over_served.to_dict() == {"(no account manager)": 0, "Ann": 1, "Bob": 1}
    assert am.under_served.to_dict() == {"(no account manager)": 0, "Ann": 0, "Bob": 1}
    lv = e[e.dimension == "pyramid_level"].set_index("group")
    assert list(lv.index) == ["top", "large", "medium", "ex-customer"]
    assert lv.loc["top", ["visits", "net_profit"]].tolist() == [3, 3300]
    assert lv.loc["large", "profit_per_visit"] == pytest.approx(-1100 / 24)


def test_effort_table_without_account_managers(customers):
    c = _with_levels(customers.drop("account_manager"))
    c = c.join(effort_flags(c, CFG), "customer_id")
    e = effort_table(c, CFG).to_pandas()
    assert set(e.dimension) == {"pyramid_level"}


def test_missing_column_is_named(customers):
    with pytest.raises(SchemaError, match="pyramid_level"):
        effort_flags(customers, CFG)

"""The customer pyramid on the five hand-worked customers (see conftest).

Active customers on revenue: P1 10000, P2 5000, L2 4000, L1 2000; total 21000. Share before each:
P1 0 (< 0.5 top), P2 10000/21000 = 0.476 (< 0.5 top), L2 15000/21000 = 0.714 (< 0.8 large),
L1 19000/21000 = 0.905 (< 0.95 medium); small stays empty. P3 is an ex-customer.
Per level: top 2 customers, revenue 15000, margin 4500, cost 1200, profit 3300, visits 3, hours 6;
large L2 4000 / 1000 / 2100 / -1100, visits 24, hours 30; medium L1 2000 / 600 / 1100 / -500, 1, 1;
ex-customer P3 1000 / 300 / 250 / 50, 10, 5. Totals 22000 / 6400 / 4650 / 1750, visits 38, hours 42.
Prospects table: 2 prospects (one with an empty status), 1 suspect, 1 row that is already a customer.
On net profit instead, see test_profit_basis.
"""

from __future__ import annotations

import ibis
import pytest

from salesfocus.config import PyramidConfig
from salesfocus.errors import ConfigError, SchemaError
from salesfocus.profit import level_names, pyramid_levels, pyramid_table

CFG = PyramidConfig()


def _levels(t, cfg=CFG, **kw):
    return pyramid_levels(t, cfg, **kw).to_pandas().set_index("customer_id").pyramid_level.to_dict()


def test_levels_by_hand(customers):
    assert _levels(customers) == {"P1": "top", "P2": "top", "L2": "large", "L1": "medium", "P3": "ex-customer"}


def test_inactive_and_boundary_customer_stays_in_the_higher_level(rows, table_of):
    rows[3]["status"] = "inactive"  # L1
    rows[1]["revenue"] = 10000  # P2: now the active total is 24000; P2 has 10000 before (0.4167 < 0.5) -> top
    levels = _levels(table_of(rows))
    assert levels["L1"] == "inactive" and levels["P2"] == "top"
    # L2 has 20000/24000 = 0.833 before: not < 0.8 -> medium
    assert levels["L2"] == "medium"


def test_exact_boundary(rows, table_of):
    """Revenue 500, 300, 100, 60, 40: before-shares 0, 0.5, 0.8, 0.9, 0.96 -> top, large, medium, medium, small."""
    for r, rev in zip(rows, [500, 300, 100, 60, 40], strict=True):
        r.update(revenue=rev, status="active")
    levels = _levels(table_of(rows))
    assert [levels[r["customer_id"]] for r in rows] == ["top", "large", "medium", "medium", "small"]


def test_profit_basis(customers):
    """Net profit, active only: P1 2500, P2 800, L1 -500, L2 -1100; positive total 3300.
    Before-shares: P1 0 -> top; P2 2500/3300 = 0.758 -> large; the loss-makers L1 and L2 -> small."""
    levels = _levels(customers, basis="net_profit")
    assert levels == {"P1": "top", "P2": "large", "L1": "small", "L2": "small", "P3": "ex-customer"}


def test_custom_levels(customers):
    cfg = PyramidConfig(levels=[("A", 0.7), ("B", 1.0)])
    assert _levels(customers, cfg) == {"P1": "A", "P2": "A", "L2": "B", "L1": "B", "P3": "ex-customer"}
    assert level_names(cfg) == ["A", "B", "inactive", "ex-customer", "prospect", "suspect"]


def test_reserved_level_name_is_a_config_error(customers):
    with pytest.raises(ConfigError, match="inactive"):
        pyramid_levels(customers, PyramidConfig(levels=[("top", 0.5), ("inactive", 1.0)]))


def _with_levels(customers):
    return customers.join(pyramid_levels(customers, CFG), "customer_id")


def _prospects():
    return ibis.memtable({"prospect_id": ["1", "2", "3", "4"], "status": ["Prospect", None, "suspect", "prospect"],
                          "customer_id": [None, None, None, "P3"]},
                         schema={"prospect_id": "string", "status": "string", "customer_id": "string"})


def test_pyramid_table_by_hand(customers):
    p = pyramid_table(_with_levels(customers), CFG, prospects=_prospects()).to_pandas().set_index("pyramid_level")
    assert list(p.index) == ["top", "large", "medium", "small", "inactive", "ex-customer", "prospect", "suspect"]
    assert p["count"].to_dict() == {"top": 2, "large": 1, "medium": 1, "small": 0, "inactive": 0, "ex-customer": 1,
                                    "prospect": 2, "suspect": 1}
    top = p.loc["top"]
    assert (top.revenue, top.gross_margin, top.cost_to_serve, top.net_profit) == (15000, 4500, 1200, 3300)
    assert (top.visits, top.hours) == (3, 6)
    assert top.revenue_share == pytest.approx(15000 / 22000)
    assert top.gross_margin_share == pytest.approx(4500 / 6400)
    assert top.cost_share == pytest.approx(1200 / 4650)
    assert top.profit_share == pytest.approx(3300 / 1750)
    assert top.visits_share == pytest.approx(3 / 38) and top.hours_share == pytest.approx(6 / 42)
    assert top.customer_share == pytest.approx(2 / 5)
    large = p.loc["large"]
    assert (large.revenue, large.cost_to_serve, large.net_profit, large.visits) == (4000, 2100, -1100, 24)
    assert large.profit_share == pytest.approx(-1100 / 1750)
    ex = p.loc["ex-customer"]
    assert (ex.revenue, ex.net_profit, ex.visits, ex.hours) == (1000, 50, 10, 5)
    assert p.loc["prospect"].isna().revenue  # prospects carry only a count


def test_pyramid_without_prospects_table_leaves_their_count_unknown(customers):
    p = pyramid_table(_with_levels(customers), CFG).to_pandas().set_index("pyramid_level")
    assert p.loc["small", "count"] == 0
    assert p["count"].isna().sum() == 2 and p.loc[["prospect", "suspect"], "count"].isna().all()


def test_pyramid_without_activities_or_cost(rows, table_of):
    for r in rows:
        r.update(gross_margin=None, net_profit=None)
    t = table_of(rows).drop("visits", "activity_hours")
    p = pyramid_table(_with_levels(t), CFG).to_pandas().set_index("pyramid_level")
    assert p.loc["top", "revenue"] == 15000
    assert p[["gross_margin", "net_profit", "visits", "hours", "visits_share"]].isna().all().all()


def test_missing_column_is_named(customers):
    with pytest.raises(SchemaError, match="pyramid_level"):
        pyramid_table(customers, CFG)
    with pytest.raises(SchemaError, match="status"):
        pyramid_levels(customers.drop("status"), CFG)

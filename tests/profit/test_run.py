"""The profit step of a run: on the hand-worked customers, on data without cost or activities, on the demo."""

from __future__ import annotations

import datetime as dt

import ibis
import pyarrow.parquet as pq
import pytest

from salesfocus import pipeline
from salesfocus.config import Config
from salesfocus.io.importer import DuckDBEngine
from salesfocus.io.readers import parse_data_arg
from salesfocus.model import Dataset, RunContext
from salesfocus.profit import SUMMARY_KEYS, run
from salesfocus.workspace import Workspace

NEW_COLUMNS = ("pyramid_level", "profit_rank", "loss_making", "visits_per_year", "profit_per_visit",
               "cost_per_visit", "over_served", "under_served")
TABLES = ("whale_curve", "pyramid", "effort", "loss_makers", "loss_maker_cross_selling")


@pytest.fixture
def ctx(customers):
    ws = Workspace(None)
    lines = ibis.memtable({"customer_id": ["L1", "P1"], "product_group": ["g", "h"], "revenue": [10.0, 20.0],
                           "cost": [5.0, 10.0]})
    ws.write("order_lines", lines.to_pyarrow())
    prospects = ibis.memtable({"prospect_id": ["1", "2"], "status": ["suspect", "prospect"]})
    ws.write("prospects", prospects.to_pyarrow())
    ds = Dataset({"order_lines": ws.table("order_lines"), "prospects": ws.table("prospects"),
                  "activities": ws.table("order_lines")}, dt.date(2024, 12, 31))
    c = RunContext.start(ws, Config(), ds, customers.to_pyarrow())
    c.summary["engine"] = "duckdb"
    yield c
    ws.close()


def test_run_fills_the_context(ctx):
    run(ctx)
    cols = ctx.customers.columns
    assert all(c in cols for c in NEW_COLUMNS)
    assert all(t in ctx.tables for t in TABLES)
    s = ctx.summary
    assert s["cost_to_serve"] == 4650 and s["net_profit"] == 1750
    assert s["top20_revenue_share"] == pytest.approx(10 / 22) and s["tail_cost_share"] == pytest.approx(1350 / 4650)
    assert s["whale_peak_share"] == pytest.approx(3350 / 1750) and s["loss_making_share"] == pytest.approx(0.4)
    assert (s["loss_making_customers"], s["loss_making_total"]) == (2, -1600)
    c = ctx.customers.to_pandas().set_index("customer_id")
    assert c.pyramid_level.to_dict() == {"L1": "medium", "L2": "large", "P1": "top", "P2": "top", "P3": "ex-customer"}
    assert c.over_served.to_dict() == {"L1": False, "L2": True, "P1": False, "P2": False, "P3": True}
    pyr = ctx.tables["pyramid"].to_pandas().set_index("pyramid_level")
    assert pyr.loc["suspect", "count"] == 1 and pyr.loc["prospect", "count"] == 1
    assert list(ctx.tables["loss_makers"].to_pandas().customer_id) == ["L2", "L1"]


def test_results_survive_a_later_analysis_replacing_the_customer_table(ctx):
    run(ctx)
    ctx.add_customer_columns(ctx.customers.select("customer_id", extra=ibis.literal(1)))
    assert len(ctx.tables["whale_curve"].to_pyarrow()) == 5


@pytest.fixture(autouse=True)
def _profit_only(monkeypatch):
    """Stage 1 and the profit step only: other analyses have their own tests."""
    monkeypatch.setattr(pipeline, "_analyses", lambda: [("profit", run)])


def _analyze(tmp_path, *data):
    ws = Workspace(tmp_path / "ws.duckdb")
    try:
        r = pipeline.analyze(DuckDBEngine(ws), ws, [parse_data_arg(d) for d in data], {}, Config())
        return r.meta["summary"], {name: r.frame(name) for name in r.tables}
    finally:
        ws.close()


def _orders_csv(tmp_path, with_cost: bool):
    p = tmp_path / "orders.csv"
    head = "customer_id,order_id,order_date,product_group,revenue" + (",cost" if with_cost else "")
    rows = [("A", "1", "2024-01-10", "g1", 1000, 600), ("A", "2", "2024-06-01", "g2", 500, 300),
            ("B", "3", "2024-03-01", "g1", 40, 35), ("C", "4", "2024-11-01", "g1", 300, 200)]
    lines = [",".join(map(str, r if with_cost else r[:-1])) for r in rows]
    p.write_text("\n".join([head, *lines]) + "\n", encoding="utf-8")
    return p


def test_without_cost_of_goods_profit_is_unknown_not_zero(tmp_path):
    s, t = _analyze(tmp_path, f"order_lines={_orders_csv(tmp_path, with_cost=False)}")
    assert s["net_profit"] is None and s["whale_peak_share"] is None and s["loss_making_share"] is None
    assert s["cost_to_serve"] > 0 and s["top20_revenue_share"] == pytest.approx(1000 / 1840 + 500 / 1840)
    c = t["customers"]
    assert c.net_profit.isna().all() and c.loss_making.isna().all() and c.pyramid_level.notna().all()
    assert t["loss_makers"].empty
    assert any("no cost of goods" in n and "cost column" in n for n in s["notes"])


def test_without_activities_cost_is_partial_and_says_so(tmp_path):
    s, t = _analyze(tmp_path, f"order_lines={_orders_csv(tmp_path, with_cost=True)}")
    c = t["customers"].set_index("customer_id")
    # B: margin 5 against orders 25 + 1.5 line + 35 delivery + 5 invoice = 66.5 -> loss-maker
    assert c.loc["B", "net_profit"] == pytest.approx(5 - 66.5) and bool(c.loc["B", "loss_making"])
    assert c.cost_visits.isna().all() and c.over_served.isna().all() and c.under_served.isna().all()
    assert s["loss_making_customers"] == 1
    lm = t["loss_makers"].set_index("customer_id")
    assert lm.loc["B", "order_fee"] == pytest.approx(61.5)
    assert any("no activities table" in n and "[cost_rates]" in n for n in s["notes"])
    e = t["effort"]
    assert set(e.dimension) == {"pyramid_level"} and e.visits.isna().all()


def test_demo_planted_loss_makers_lose_money(tmp_path):
    demo = pytest.importorskip("salesfocus.demo")
    d = demo.generate_demo(tmp_path / "data", customers=300, seed=7)
    s, t = _analyze(tmp_path, *[f"{name}={p}" for name, p in d.paths.items()])
    truth = pq.read_table(d.truth_path).to_pandas()
    c = t["customers"].merge(truth, on="customer_id")
    planted = c[c.planted_group == "loss_maker"]
    assert len(planted) > 0 and (planted.net_profit < 0).all() and planted.loss_making.all()
    assert set(planted.customer_id) <= set(t["loss_makers"].customer_id)
    assert all(k in s for k in SUMMARY_KEYS)
    assert s["loss_making_share"] == pytest.approx((c.net_profit < 0).mean())
    assert s["net_profit"] == pytest.approx(c.net_profit.sum(), abs=0.01)
    assert s["whale_peak_share"] > 1
    assert (t["pyramid"].set_index("pyramid_level").loc[["prospect", "suspect"], "count"] > 0).all()

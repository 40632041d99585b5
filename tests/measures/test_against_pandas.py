"""Every per-customer measure of a run equals an independent pandas computation on the demo data."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from salesfocus.config import Config
from salesfocus.io import DuckDBEngine, parse_data_arg
from salesfocus.pipeline import analyze
from salesfocus.workspace import Workspace

demo = pytest.importorskip("salesfocus.demo")


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    d = demo.generate_demo(tmp_path_factory.mktemp("demo"), customers=300, seed=5)
    ws = Workspace(None)
    run = analyze(DuckDBEngine(ws), ws, [parse_data_arg(f"{t}={p}") for t, p in d.paths.items()], {}, Config())
    frames = {t: pd.read_parquet(p) for t, p in d.paths.items()}
    yield run.frame("customers").set_index("customer_id"), frames, dt.date.fromisoformat(run.meta["summary"]["as_of"])
    ws.close()


def _expected(frames, as_of):
    ol = frames["order_lines"].copy()
    ol["order_date"] = pd.to_datetime(ol.order_date)
    ol["is_return"] = (ol.revenue < 0) | (ol.quantity < 0)
    order_tot = ol.groupby(["customer_id", "order_id"]).revenue.sum()
    per_cust_orders = order_tot.groupby("customer_id")
    g = ol.groupby("customer_id")
    e = pd.DataFrame({
        "revenue": g.revenue.sum(),
        "cost_of_goods": g.cost.sum(),
        "order_lines": g.size(),
        "products": g.product_id.nunique(),
        "product_groups": g.product_group.nunique(),
        "first_order": g.order_date.min(),
        "last_order": g.order_date.max(),
        "returns_value": -ol[ol.is_return].groupby("customer_id").revenue.sum(),
        "orders": per_cust_orders.apply(lambda s: int((s >= 0).sum())),
        "returns_count": per_cust_orders.apply(lambda s: int((s < 0).sum())),
    })
    e["returns_value"] = e.returns_value.fillna(0.0)
    e["gross_margin"] = e.revenue - e.cost_of_goods
    asof = pd.Timestamp(as_of)
    e["recency_days"] = (asof - e.last_order).dt.days
    e["tenure_days"] = (asof - e.first_order).dt.days
    e["orders_per_year"] = e.orders * 365.25 / np.maximum(e.tenure_days, 365.25)
    e["avg_order_value"] = e.revenue / e.orders.replace(0, np.nan)
    inv = frames["invoices"].copy()
    for c in ("invoice_date", "due_date", "paid_date"):
        inv[c] = pd.to_datetime(inv[c])
    inv = inv[inv.invoice_date <= asof]
    settled = inv.paid_date.fillna(asof)
    inv["days"] = (settled - inv.invoice_date).dt.days
    inv["late"] = (settled - inv.due_date).dt.days.clip(lower=0).fillna(0)
    paid = inv[inv.paid_date.notna()]
    e["days_to_pay"] = paid.groupby("customer_id").days.mean()
    e["late_share"] = inv.groupby("customer_id").late.apply(lambda s: (s > 0).mean())
    act = frames["activities"]
    act = act[pd.to_datetime(act.activity_date) <= asof]  # as the invoices: what happened up to the as-of date
    n = act.quantity.fillna(1.0)
    for typ, col in (("visit", "visits"), ("call", "calls"), ("complaint", "complaints")):
        e[col] = n[act.activity_type == typ].groupby(act.customer_id[act.activity_type == typ]).sum()
        e[col] = e[col].fillna(0.0)
    return e


@pytest.mark.parametrize("col", [
    "revenue", "cost_of_goods", "gross_margin", "order_lines", "products", "product_groups", "returns_value",
    "orders", "returns_count", "recency_days", "tenure_days", "orders_per_year", "avg_order_value",
    "days_to_pay", "late_share", "visits", "calls", "complaints",
])
def test_measure_equals_pandas(demo_run, col):
    got, frames, as_of = demo_run
    exp = _expected(frames, as_of)
    assert set(got.index) == set(exp.index)
    a = pd.to_numeric(got[col].astype("float64"), errors="coerce").sort_index()
    b = pd.to_numeric(exp[col].astype("float64"), errors="coerce").reindex(a.index)
    np.testing.assert_allclose(a.to_numpy(), b.to_numpy(), rtol=1e-9, atol=1e-6, equal_nan=True, err_msg=col)


def test_dates_equal_pandas(demo_run):
    got, frames, as_of = demo_run
    exp = _expected(frames, as_of)
    for col in ("first_order", "last_order"):
        assert (pd.to_datetime(got[col]).sort_index() == exp[col].reindex(got.index).sort_index()).all()

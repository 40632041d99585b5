"""End to end on the demo data: planted churned customers look less alive, the backtest beats the naive baseline."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

from salesfocus.config import Config
from salesfocus.workspace import Workspace


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    demo = pytest.importorskip("salesfocus.demo", reason="the demo generator is not importable yet")
    from salesfocus import pipeline
    from salesfocus.io.importer import DuckDBEngine
    from salesfocus.io.readers import parse_data_arg

    d = demo.generate_demo(tmp_path_factory.mktemp("demo"), customers=800, seed=3)
    srcs = [parse_data_arg(f"{t}={p}") for t, p in d.paths.items()]
    ws = Workspace(None)
    r = pipeline.analyze(DuckDBEngine(ws), ws, srcs, {}, Config())
    truth = pq.read_table(d.truth_path).to_pandas()
    yield r.frame("customers").merge(truth, on="customer_id"), r.meta["summary"], r.frame("at_risk")
    ws.close()


def test_churned_customers_look_less_alive(demo_run):
    c, _, _ = demo_run
    mean = c.groupby("planted_group").p_active.mean()
    assert mean["churned"] < mean["regular"] and mean["churned"] < mean["top"]
    assert c.p_active.between(0, 1).all()


def test_backtest_beats_naive(demo_run):
    _, s, _ = demo_run
    b = s["prediction"]["backtest"]
    assert b["beats_naive"] and b["model"]["mae"] < b["naive"]["mae"]
    assert any(n.startswith("prediction backtest:") for n in s["notes"])


def test_contract_columns_and_sources(demo_run):
    c, s, at_risk = demo_run
    for col in ("p_active", "expected_orders", "expected_revenue", "clv", "clv_profit", "potential_revenue",
                "potential_source", "wallet_gap", "cross_sell_groups", "at_risk"):
        assert col in c.columns
    p = s["prediction"]
    from salesfocus.predict.select import MODELS

    assert p["model"] in MODELS and set(p["params"]) == {*MODELS[p["model"]]._param_names, "p", "q", "gamma"}
    assert p["chosen_by"] in ("holdout_mae", "bic") and set(p["candidates"]) == set(MODELS)
    print("demo model choice:", p["model"], p["chosen_by"], {k: (round(v["log_likelihood"] or 0, 1),
          v["holdout_mae"], v["converged"]) for k, v in p["candidates"].items()})
    assert {"assessment", "peers"} <= set(c.potential_source)
    # the A/B/C step (after prediction) reads the prediction's potential
    if "abc_potential_source" in c.columns:
        assert (c.abc_potential_source == c.potential_source).mean() > 0.9
    assert set(at_risk.pyramid_level) <= {"top", "large"}
    assert at_risk.value_at_risk.is_monotonic_decreasing

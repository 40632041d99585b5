"""End to end on the demo data: planted churned customers get a low P(active), the backtest beats the naive baseline.

Run with ``pytest -s`` to see the figures."""

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


def test_planted_churned_customers_get_a_low_p_active(demo_run):
    """Issue 6: the planted churned customers (regular buyers, every one to two months, silent for the last
    12-18 months: five or more of their own order gaps) get a low P(active), far below everyone else's."""
    c, s, _ = demo_run
    scored = c[c.p_active.notna()]
    # Only the customers the model leaves out (no purchase up to as-of) have an empty P(active).
    ex = s["prediction"]["excluded"]
    assert len(c) - len(scored) == ex["no_order_by_as_of"] + ex["only_returns"]
    assert scored.p_active.between(0, 1).all()
    churned = scored.planted_group == "churned"
    ch, rest = scored.p_active[churned], scored.p_active[~churned]
    by_group = scored.groupby("planted_group").p_active.median().round(3).to_dict()
    print(f"\ndemo P(active) ({s['prediction']['model']}): median churned {ch.median():.3f} (n = {len(ch)}) vs "
          f"others {rest.median():.3f} (n = {len(rest)}); below 0.5: churned {(ch < 0.5).mean():.0%}, "
          f"others {(rest < 0.5).mean():.1%}; medians by group {by_group}")
    assert ch.median() < 0.5 and rest.median() > 0.8
    assert ch.median() < 0.5 * rest.median()
    assert (ch < 0.5).mean() >= 0.8 and (rest < 0.5).mean() <= 0.05
    for group in ("regular", "top", "growth", "loss_maker"):
        assert by_group["churned"] < by_group[group] - 0.4, group
    # the run says it too (without knowing the planted truth): how many look lapsed, and how long they are silent
    note = next(n for n in s["notes"] if n.startswith("prediction: P(active)"))
    print(note)
    pa = s["prediction"]["p_active"]
    assert pa["below"] >= (ch < 0.5).sum() and pa["median"] == pytest.approx(scored.p_active.median(), abs=1e-6)


def test_backtest_beats_naive(demo_run):
    _, s, _ = demo_run
    b = s["prediction"]["backtest"]
    print(f"\ndemo backtest ({s['prediction']['model']}, calibrated to {b['calibration_end']}, "
          f"{b['holdout_months']}-month holdout, {b['customers']} customers): MAE {b['model']['mae']:.3f} (model) vs "
          f"{b['naive']['mae']:.3f} (naive), improvement {b['mae_improvement']:.1%}; total "
          f"{b['model']['predicted_total']:.0f} predicted vs {b['model']['actual_total']:.0f} actual "
          f"(naive {b['naive']['predicted_total']:.0f})")
    assert b["beats_naive"] and b["model"]["mae"] < b["naive"]["mae"]
    assert b["mae_improvement"] > 0.05
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

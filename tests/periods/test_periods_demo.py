"""On the demo data (2022–2025): the planted churned customers appear as lost, the planted growth group moves up.

The run uses the pipeline with the profit and periods analyses only (the segments, prediction and targeting
analyses are tested in their own packages and take most of a full run's time).
"""

from __future__ import annotations

import pandas as pd
import pytest

LEVELS = {"top": 0, "large": 1, "medium": 2, "small": 3}


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    demo = pytest.importorskip("salesfocus.demo", reason="the demo generator is not importable yet")
    from salesfocus import pipeline
    from salesfocus.config import Config
    from salesfocus.io.importer import DuckDBEngine
    from salesfocus.io.readers import parse_data_arg
    from salesfocus.periods import run as periods
    from salesfocus.profit import run as profit
    from salesfocus.workspace import Workspace

    d = demo.generate_demo(tmp_path_factory.mktemp("demo"), customers=800, seed=3)
    mp = pytest.MonkeyPatch()
    mp.setattr(pipeline, "_analyses", lambda: [("profit", profit), ("periods", periods)])
    try:
        with Workspace(None) as ws:
            run = pipeline.analyze(DuckDBEngine(ws), ws, [parse_data_arg(f"{t}={p}") for t, p in d.paths.items()],
                                   {}, Config())
            truth = pd.read_parquet(d.truth_path)
            yield {name: run.frame(name) for name in run.tables} | {"truth": truth}, run.meta["summary"]
    finally:
        mp.undo()


def test_planted_churned_customers_appear_as_lost(demo_run):
    t, _ = demo_run
    churned = set(t["truth"].query("planted_group == 'churned'").customer_id)
    mc = t["migration_customers"].query("dimension == 'pyramid'")
    assert churned and churned <= set(mc[mc.to_level == "lost"].customer_id)
    # they stop 12–18 months before the end: lost into the last year, never active in it
    last = mc[(mc["to_period"] == "2025") & (mc.to_level == "lost")]
    assert len(churned & set(last.customer_id)) >= 0.95 * len(churned)
    cp = t["customer_periods"]
    assert not cp[(cp.period == "2025") & cp.active & cp.customer_id.isin(churned)].shape[0]


def test_planted_growth_group_moves_up(demo_run):
    t, _ = demo_run
    growth = set(t["truth"].query("planted_group == 'growth'").customer_id)
    mc = t["migration_customers"].query("dimension == 'pyramid'")
    both = mc[mc.customer_id.isin(growth) & mc.from_level.isin(LEVELS) & mc.to_level.isin(LEVELS)]
    step = both.from_level.map(LEVELS) - both.to_level.map(LEVELS)  # > 0: up the pyramid
    assert (step > 0).sum() > (step < 0).sum()
    cp = t["customer_periods"]
    g = cp[cp.customer_id.isin(growth) & cp.active]
    upper = g.assign(up=g.pyramid_level.isin(["top", "large", "medium"])).groupby("period").up.mean()
    assert upper["2025"] > upper["2022"] + 0.1


def test_demo_run_outputs_and_summary(demo_run):
    t, s = demo_run
    for name in ("periods", "customer_periods", "migration", "migration_customers", "projection", "retention",
                 "cohorts", "goals", "scorecard", "funnel", "funnel_channels"):
        assert name in t and len(t[name]), name
    assert s["periods"]["first"] == "2022" and s["periods"]["last"] == "2025"
    assert set(s["retention"]) == {"period", "customer_retention", "gross_revenue_retention", "net_revenue_retention"}
    assert set(s["migration"]) >= {"up", "down", "same", "new", "reactivated", "lost"}
    assert s["goals"]["total"] == 3  # the method's three example goals by default
    assert t["goals"].goal.tolist() == ["retain 90% of last year's customers",
                                        "develop 10 top customers from prospects and lower levels",
                                        "identify 400 new suspects"]
    assert set(t["scorecard"].account_manager) >= {"Sanne de Vries", "Pieter Claes"}
    m = t["migration"].query("dimension == 'pyramid' and to_period == '2025'")
    assert m.customers.sum() == s["migration"]["up"] + s["migration"]["down"] + s["migration"]["same"] \
        + s["migration"]["new"] + s["migration"]["reactivated"] + s["migration"]["lost"]

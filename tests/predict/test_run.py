"""The prediction step of a run, wired on simulated order lines: columns, summary, sources, degraded data."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from salesfocus.config import Config, PredictionConfig
from salesfocus.measures import customer_groups, orders
from salesfocus.model.context import RunContext
from salesfocus.model.dataset import Dataset
from salesfocus.predict import simulate_bgnbd_orders
from salesfocus.predict.run import CUSTOMER_COLUMNS, MODEL_COLUMNS, run
from salesfocus.predict.select import MODELS
from salesfocus.workspace import Workspace
from tests.helpers import assert_close

AS_OF = dt.date(2024, 12, 31)
GROUPS = np.array(["Bouten", "Verf", "Gereedschap", "Kabels", "Tegels"])


def _lines(n: int, seed: int = 1, end: dt.date = AS_OF) -> pd.DataFrame:
    ol = simulate_bgnbd_orders(n, 0.8, 12.0, 0.6, 2.5, start=dt.date(2022, 1, 1), acquisition_days=600, end=end,
                               seed=seed)
    rng = np.random.default_rng(seed)
    ol["product_group"] = GROUPS[rng.integers(0, 5, len(ol))]
    ol["quantity"] = 1.0
    ol["cost"] = (ol["revenue"] * 0.7).round(2)
    ol["is_return"] = False
    return ol


def _customers(ol: pd.DataFrame, with_levels: bool = True) -> pd.DataFrame:
    c = ol.groupby("customer_id").agg(revenue=("revenue", "sum"), cost=("cost", "sum"),
                                      orders=("order_id", "nunique")).reset_index()
    c["margin_pct"] = (c.revenue - c.cost) / c.revenue
    c["cost_to_serve"] = c.orders * 20.0
    num = c.customer_id.str[1:].astype(int)
    c["sector"] = np.where(num % 2 == 0, "Bouw", "Zorg")
    c["size_class"] = np.where(num % 3 == 0, "1-9", "10-49")
    c["status"] = "active"
    c["name"] = "Klant " + c.customer_id
    if with_levels:
        rank = c.revenue.rank(ascending=False, method="first")
        c["pyramid_level"] = np.select([rank <= len(c) * 0.1, rank <= len(c) * 0.3], ["top", "large"], "medium")
    return c.drop(columns="cost")


def _ctx(ws: Workspace, ol: pd.DataFrame, cust: pd.DataFrame, config: Config, as_of: dt.date = AS_OF,
         assessments: pd.DataFrame | None = None, compact: bool = True) -> RunContext:
    """A run context as the pipeline makes it: order lines plus (``compact``) the ``orders`` and
    ``customer_groups`` tables of stage 1, which the prediction prefers."""
    ws.write("order_lines", pa.Table.from_pandas(ol, preserve_index=False))
    tables = {"order_lines": ws.table("order_lines")}
    if compact:
        for name, fn in (("orders", orders), ("customer_groups", customer_groups)):
            ws.write(name, fn(tables["order_lines"]))
            tables[name] = ws.table(name)
    if assessments is not None:
        ws.write("assessments", pa.Table.from_pandas(assessments, preserve_index=False))
        tables["assessments"] = ws.table("assessments")
    ctx = RunContext.start(ws, config, Dataset(tables, as_of), pa.Table.from_pandas(cust, preserve_index=False))
    ctx.summary["engine"] = "duckdb"
    return ctx


@pytest.fixture(scope="module")
def simulated() -> pd.DataFrame:
    return _lines(400)


@pytest.fixture(scope="module")
def week_run(simulated):
    cust = _customers(simulated)
    first = cust.customer_id.iloc[0]
    later = cust.customer_id.iloc[1]
    assessments = pd.DataFrame({
        "customer_id": [first, later, later],
        "assessment_date": [dt.date(2024, 5, 1), dt.date(2024, 5, 1), dt.date(2025, 2, 1)],
        "potential_revenue": [12_345.0, None, 99_999.0],  # the 2025 value is after the as-of date
    })
    with Workspace(None) as ws:
        ctx = _ctx(ws, simulated, cust, Config(), assessments=assessments)
        run(ctx)
        yield (ctx.customers.to_pandas().set_index("customer_id"), ctx.summary, ctx.notes,
               {k: v.to_pandas() for k, v in ctx.tables.items()}, (first, later))


def test_columns_and_probabilities(week_run):
    c, s, _, tables, _ = week_run
    assert set(CUSTOMER_COLUMNS) <= set(c.columns)
    assert c.p_active.notna().all() and c.p_active.between(0, 1).all()
    assert (c.expected_orders >= 0).all() and (c.expected_revenue >= 0).all()
    assert (c.clv > 0).all() and (c.clv <= c.expected_revenue + 1e-9).all()  # discounted
    # profit: Σ ΔE[orders] (value × own margin − own cost per order) discounted = clv × m − clv / value × cost
    value = c.expected_revenue / c.expected_orders
    want = c.clv * c.margin_pct - c.clv / value * (c.cost_to_serve / c.orders)
    assert c.clv_profit.to_numpy() == pytest.approx(want.to_numpy(), rel=1e-6)
    assert set(c.potential_source) <= {"assessment", "model", "peers", "none"}
    assert {"at_risk", "cross_sell"} <= set(tables)
    assert c.at_risk.sum() == len(tables["at_risk"])


def test_summary_contract(week_run):
    _, s, notes, _, _ = week_run
    p = s["prediction"]
    assert p["model"] in MODELS and p["spend_model"] == "gamma_gamma" and p["time_unit"] == "week"
    assert set(p["params"]) == {*MODELS[p["model"]]._param_names, "p", "q", "gamma"}
    # model choice: every candidate reported with its figures; the holdout (6 months) decides
    cand = p["candidates"]
    assert set(cand) == set(MODELS) and p["chosen_by"] == "holdout_mae"
    for row in cand.values():
        assert np.isfinite(row["log_likelihood"]) and np.isfinite(row["bic"]) and np.isfinite(row["holdout_mae"])
        assert row["bic"] == pytest.approx(-2 * row["log_likelihood"] + 4 * np.log(p["customers"]))
    ok = [k for k, v in cand.items() if v["converged"] and v["converged_holdout"]]
    # BG/NBD unless another is lower by at least selection_min_gain (5%) and by over 2 standard errors
    ref = cand["bg_nbd"]["holdout_mae"]
    better = [k for k in ok if k != "bg_nbd" and cand[k]["holdout_mae"] <= ref * (1 - 0.05)
              and ref - cand[k]["holdout_mae"] > 2 * cand[k]["holdout_mae_diff_se"]]
    assert p["model"] == (min(better, key=lambda k: cand[k]["holdout_mae"]) if better else "bg_nbd")
    assert p["log_likelihood"] == cand[p["model"]]["log_likelihood"]
    assert any(n.startswith("prediction: repeat-purchase model") and "holdout MAE" in n for n in notes)
    assert np.isfinite(p["log_likelihood"]) and isinstance(p["converged"], bool) and p["fit_message"]
    assert p["independence"]["verdict"] and "correlation" in p["independence"]
    assert p["excluded"]["no_order_by_as_of"] == 0 and p["excluded"]["spend_no_repeat_purchase"] >= 0
    b = p["backtest"]
    assert b["holdout_end"] == "2024-12-31" and b["calibration_end"] == "2024-06-30" and b["holdout_months"] == 6
    for k in ("mae", "correlation", "predicted_total", "actual_total"):
        assert k in b["model"] and k in b["naive"]
    assert b["beats_naive"] is (b["model"]["mae"] < b["naive"]["mae"])
    assert any(n.startswith("prediction backtest:") and "MAE" in n for n in notes)
    # the backtest scores the chosen model, on the same split as the choice
    assert b["model"]["mae"] == pytest.approx(cand[p["model"]]["holdout_mae"])
    # simulated by BG/NBD: BG/NBD should recover r roughly, and the chosen model beat the naive baseline
    assert cand["bg_nbd"]["params"]["r"] == pytest.approx(0.8, rel=0.35) and b["beats_naive"]


def test_assessment_overrides_model_and_future_rows_are_ignored(week_run):
    c, _, _, _, (first, later) = week_run
    assert c.loc[first, "potential_source"] == "assessment" and c.loc[first, "potential_revenue"] == 12_345.0
    assert c.loc[later, "potential_source"] != "assessment"
    rest = c.drop(index=[first])
    data = rest[rest.potential_source.isin(["model", "peers"])]
    best = np.fmax(data.expected_revenue, data.peer_revenue)  # horizon 12 months: expected_revenue is the 12-month one
    assert data.potential_revenue.to_numpy() == pytest.approx(np.maximum(best - data.revenue_12m, 0).to_numpy())


def test_day_unit_gives_the_same_customers(simulated, week_run):
    week = week_run[0]
    with Workspace(None) as ws:
        model = week_run[1]["prediction"]["model"]  # the same model as the weekly run (the only candidate)
        cfg = PredictionConfig(time_unit="day", models=[model])
        ctx = _ctx(ws, simulated, _customers(simulated), Config(prediction=cfg))
        run(ctx)
        day = ctx.customers.to_pandas().set_index("customer_id").loc[week.index]
        p = ctx.summary["prediction"]
    assert p["time_unit"] == "day" and p["model"] == model and list(p["candidates"]) == [model]
    # recency and T scale by 7, so α (and Pareto/NBD's β) do (the models are scale-equivariant in time); r does not
    assert p["params"]["alpha"] == pytest.approx(7 * week_run[1]["prediction"]["params"]["alpha"], rel=1e-3)
    assert p["params"]["r"] == pytest.approx(week_run[1]["prediction"]["params"]["r"], rel=1e-3)
    assert np.corrcoef(day.p_active, week.p_active)[0, 1] > 0.99
    assert day.expected_orders.sum() == pytest.approx(week.expected_orders.sum(), rel=0.05)


def test_as_of_ends_the_calibration(simulated):
    as_of = dt.date(2023, 6, 30)
    with Workspace(None) as ws:
        ctx = _ctx(ws, simulated, _customers(simulated), Config(), as_of=as_of)
        run(ctx)
        p = ctx.summary["prediction"]
        c = ctx.customers.to_pandas()
    late = (simulated.groupby("customer_id").order_date.min() > as_of).sum()
    assert p["calibration_end"] == "2023-06-30" and p["excluded"]["no_order_by_as_of"] == late > 0
    assert c.p_active.isna().sum() == late
    assert p["backtest"]["holdout_end"] == "2023-06-30"
    assert any("first ordered after 2023-06-30" in n for n in ctx.notes)


def test_without_pyramid_or_peers(simulated):
    cust = _customers(simulated, with_levels=False).drop(columns=["sector", "size_class"])
    with Workspace(None) as ws:
        ctx = _ctx(ws, simulated, cust, Config(), compact=False)  # also: order lines only
        run(ctx)
        c = ctx.customers.to_pandas()
    assert c.p_active.notna().all() and ctx.summary["prediction"]["model"] in MODELS
    assert c.wallet_gap.isna().all() and c.cross_sell_groups.isna().all()
    assert set(c.potential_source) == {"model"} | ({"none"} if (c.revenue_12m <= 0).any() else set())
    assert any("no peer column(s) sector, size_class" in n for n in ctx.notes)


def test_degenerate_data_degrade_with_a_note():
    ol = _lines(30, seed=4)
    cust = _customers(ol)
    assessments = pd.DataFrame({"customer_id": [cust.customer_id.iloc[0]], "assessment_date": [dt.date(2024, 1, 1)],
                                "potential_revenue": [500.0]})
    with Workspace(None) as ws:
        ctx = _ctx(ws, ol, cust, Config(), assessments=assessments)
        run(ctx)
        c = ctx.customers.to_pandas().set_index("customer_id")
        p = ctx.summary["prediction"]
        at_risk = ctx.tables["at_risk"].to_pandas()
    assert p["model"] is None and p["params"] == {} and p["log_likelihood"] is None and p["backtest"] is None
    assert "repeat purchase" in p["reason"]
    assert c[list(MODEL_COLUMNS)].isna().all().all()
    assert any(n.startswith("prediction: no repeat-purchase model") for n in ctx.notes)
    assert c.loc[cust.customer_id.iloc[0], "potential_source"] == "assessment"
    assert set(at_risk.columns) >= {"at_risk_rank", "customer_id", "value_at_risk", "reason"}


def test_returns_only_customer_is_excluded_and_counted(simulated):
    extra = pd.DataFrame({"customer_id": ["R1"], "order_id": ["RX"], "order_date": [dt.date(2024, 3, 1)],
                          "revenue": [-50.0], "product_group": ["Verf"], "quantity": [-1.0], "cost": [-35.0],
                          "is_return": [True]})
    ol = pd.concat([simulated, extra], ignore_index=True)
    with Workspace(None) as ws:
        ctx = _ctx(ws, ol, _customers(ol), Config())
        run(ctx)
        c = ctx.customers.to_pandas().set_index("customer_id")
        p = ctx.summary["prediction"]
    assert p["excluded"]["only_returns"] == 1 and pd.isna(c.loc["R1", "p_active"])


def test_group_buys_from_compact_table_equal_those_from_lines(simulated):
    from salesfocus.predict.run import _group_buys

    with Workspace(None) as ws:
        both = []
        for compact in (True, False):
            ctx = _ctx(ws, simulated, _customers(simulated), Config(), compact=compact)
            both.append(_group_buys(ctx).to_pandas().sort_values(["customer_id", "product_group"], ignore_index=True))
    pd.testing.assert_frame_equal(both[0], both[1])
    assert len(both[0]) > 0


def test_model_selection_off_is_bg_nbd_only(simulated):
    with Workspace(None) as ws:
        ctx = _ctx(ws, simulated, _customers(simulated), Config(prediction=PredictionConfig(model_selection=False)))
        run(ctx)
        p = ctx.summary["prediction"]
    assert p["model"] == "bg_nbd" and p["chosen_by"] == "config" and list(p["candidates"]) == ["bg_nbd"]
    assert p["candidates"]["bg_nbd"]["holdout_mae"] is None and p["backtest"]["beats_naive"]
    assert not any(n.startswith("prediction: repeat-purchase model") for n in ctx.notes)


def test_the_backtest_started_beside_the_fit_is_the_one_made_after_it(simulated):
    """Without a model choice the backtest starts before the fit, on a thread: the same backtest as the choice's
    (which fits BG/NBD on the same split first), its note in the same place among the notes."""
    runs = {}
    for choose in (False, True):
        cfg = PredictionConfig(model_selection=choose, models=["bg_nbd"])
        with Workspace(None) as ws:
            ctx = _ctx(ws, simulated, _customers(simulated), Config(prediction=cfg))
            run(ctx)
        runs[choose] = ctx.summary["prediction"], [n for n in ctx.notes if "chosen by" not in n]
    (early, early_notes), (late, late_notes) = runs[False], runs[True]
    assert early["backtest"] is not None and early["backtest"]["customers"] > 300
    assert_close(early["backtest"], late["backtest"])
    assert early_notes == late_notes
    assert any(n.startswith("prediction backtest:") for n in early_notes)
